/** Unicode sparklines (`▁▂▃▄▅▆▇█`) for metric histories, as in W&B's end-of-run panel. */

const BARS = "▁▂▃▄▅▆▇█";

/** Keeps at most `points` values, evenly spaced and always including the last one. */
export function downsample(values: readonly number[], points: number): number[] {
  if (values.length <= points) return [...values];
  const step = (values.length - 1) / (points - 1);
  return Array.from({ length: points }, (_, i) => values[Math.round(i * step)]!);
}

/** A sparkline of the finite values in `values` (downsampled to `points`); empty for no data. */
export function sparkline(values: readonly number[], points = 40): string {
  const finite = downsample(values.filter(Number.isFinite), points);
  if (finite.length === 0) return "";
  const min = Math.min(...finite);
  const max = Math.max(...finite);
  const span = max - min;
  return finite.map((v) => BARS[span === 0 ? 0 : Math.round(((v - min) / span) * (BARS.length - 1))]).join("");
}
