import type { BenchResult } from "./harness.js";

function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  if (abs >= 100) return value.toFixed(0);
  if (abs >= 1) return value.toFixed(2);
  return value.toPrecision(3);
}

/** Renders results as a Markdown table, so the output can be pasted into an issue note. */
export function renderTable(results: BenchResult[]): string {
  const header = ["case", "unit", "baseline", "value", "measured", "value", "ratio", "aim"];
  const rows = results.map((r) => [
    r.name,
    r.unit,
    r.baselineLabel,
    formatNumber(r.baseline),
    r.measuredLabel,
    formatNumber(r.measured),
    formatNumber(r.ratio),
    r.aim ?? "",
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(" | ")} |`;
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}
