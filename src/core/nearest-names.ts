/** "Did you mean …": the known names closest to a mistyped one, for one-line not-found errors. */

/** Edit distance (insertions, deletions, substitutions) between two strings. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(previous[j]! + 1, row[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = row;
  }
  return previous[b.length]!;
}

/**
 * Up to `limit` of `candidates`, nearest to `wanted` first (names sharing a prefix with it, then by
 * edit distance); ties keep the candidates' order.
 */
export function nearestNames(wanted: string, candidates: readonly string[], limit = 3): string[] {
  const lower = wanted.toLowerCase();
  const score = (name: string): number => {
    const other = name.toLowerCase();
    const prefixBonus = other.startsWith(lower) || lower.startsWith(other) ? -0.5 : 0;
    return editDistance(lower, other) + prefixBonus;
  };
  return candidates
    .map((name, order) => ({ name, order, score: score(name) }))
    .sort((x, y) => x.score - y.score || x.order - y.order)
    .slice(0, limit)
    .map((entry) => entry.name);
}

/** " Nearest: a, b, c." or, with no candidates, `none` (e.g. " It has no runs."). */
export function nearestHint(wanted: string, candidates: readonly string[], none: string): string {
  if (candidates.length === 0) return ` ${none}`;
  return ` Nearest: ${nearestNames(wanted, candidates).join(", ")}.`;
}
