/**
 * The end-of-run panel, like W&B's in Python notebooks: "Run history" (metric → sparkline) beside
 * "Run summary" (key → short value). Keys are sorted, `_`-prefixed keys hidden, at most ten rows each
 * with "+N ..." for the rest; long strings shortened, floats rounded, nested values left out.
 */
import { escapeHtml } from "./html-escape.js";
import { htmlTable, textTable } from "./html-table.js";
import { shortValue } from "./short-value.js";
import { sparkline } from "./sparkline.js";

/** What one run logged. */
export interface RunSummaryData {
  /** Title above the panel, e.g. the step and run name. */
  title?: string;
  /** Metric name → logged values in step order. */
  history: Record<string, readonly number[]>;
  /** Final summary values. */
  summary: Record<string, unknown>;
}

/** The most rows shown per table, as W&B's `max_end_of_run_*_metrics`. */
export const MAX_PANEL_ROWS = 10;

function visibleRows(rows: [string, string][]): [string, string][] {
  if (rows.length <= MAX_PANEL_ROWS) return rows;
  return [...rows.slice(0, MAX_PANEL_ROWS), [`+${rows.length - MAX_PANEL_ROWS} ...`, ""]];
}

/** History rows: metric → sparkline (only metrics with at least two points, like W&B). */
export function historyRows(data: RunSummaryData): [string, string][] {
  const rows = Object.keys(data.history)
    .filter((key) => !key.startsWith("_") && (data.history[key]?.length ?? 0) > 1)
    .sort()
    .map((key): [string, string] => [key, sparkline(data.history[key]!)]);
  return visibleRows(rows);
}

/** Summary rows: key → short value, skipping hidden keys and values not shown. */
export function summaryRows(data: RunSummaryData): [string, string][] {
  const rows: [string, string][] = [];
  for (const key of Object.keys(data.summary).sort()) {
    if (key.startsWith("_")) continue;
    const text = shortValue(data.summary[key]);
    if (text !== undefined) rows.push([key, text]);
  }
  return visibleRows(rows);
}

/** The panel as HTML: two columns, history and summary. */
export function runSummaryHtml(data: RunSummaryData): string {
  const history = historyRows(data);
  const summary = summaryRows(data);
  const column = (title: string, rows: [string, string][], className: string) =>
    rows.length === 0 ? "" : `<div style="flex:1;min-width:240px"><h3>${escapeHtml(title)}</h3>${htmlTable(["", ""], rows, className).replace(/<thead>.*?<\/thead>/, "")}</div>`;
  const title = data.title ? `<h4>${escapeHtml(data.title)}</h4>` : "";
  return `<div class="wbflow-run-summary">${title}<div style="display:flex;gap:2em;flex-wrap:wrap">${column("Run history:", history, "wbflow-run-history")}${column("Run summary:", summary, "wbflow-summary-table")}</div></div>`;
}

/** The panel as plain text. */
export function runSummaryText(data: RunSummaryData): string {
  const parts: string[] = [];
  if (data.title) parts.push(data.title);
  const history = historyRows(data);
  if (history.length > 0) parts.push("Run history:", textTable(["metric", "trend"], history));
  const summary = summaryRows(data);
  if (summary.length > 0) parts.push("Run summary:", textTable(["key", "value"], summary));
  return parts.join("\n");
}
