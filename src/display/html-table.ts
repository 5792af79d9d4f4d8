/** A plain HTML table and its text twin, with every cell escaped. */
import { escapeHtml } from "./html-escape.js";

/** A table cell: text (escaped) or pre-rendered, already-safe HTML (e.g. a link). */
export type TableCell = string | { html: string; text: string };

/** Renders rows as an HTML table; `className` lets notebooks (and tests) find it. */
export function htmlTable(headers: readonly string[], rows: readonly TableCell[][], className: string): string {
  const head = headers.map((h) => `<th style="text-align:left">${escapeHtml(h)}</th>`).join("");
  const body = rows
    .map((row) => `<tr>${row.map((cell) => `<td style="text-align:left">${typeof cell === "string" ? escapeHtml(cell) : cell.html}</td>`).join("")}</tr>`)
    .join("");
  return `<table class="${escapeHtml(className)}"><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}

/** The same table as aligned plain text. */
export function textTable(headers: readonly string[], rows: readonly TableCell[][]): string {
  const cells = [headers, ...rows.map((row) => row.map((cell) => (typeof cell === "string" ? cell : cell.text)))];
  const widths = headers.map((_, column) => Math.max(...cells.map((row) => (row[column] ?? "").length)));
  return cells.map((row) => row.map((cell, column) => (cell ?? "").padEnd(widths[column]!)).join("  ").trimEnd()).join("\n");
}
