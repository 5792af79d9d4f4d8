/**
 * What a finished flow run shows: per step its W&B run link (or offline directory), a summary panel
 * per step, the artifacts table, the lineage graph, and offline a line saying how to sync.
 */
import { artifactsTableHtml, artifactsTableText, type ArtifactRowData } from "./artifacts-table.js";
import { escapeHtml } from "./html-escape.js";
import { htmlTable, textTable, type TableCell } from "./html-table.js";
import { linkCell, pathCell } from "./link.js";
import { runSummaryHtml, runSummaryText, type RunSummaryData } from "./run-summary-panel.js";

/** One step task's W&B run. */
export interface StepRunRow {
  step: string;
  taskId: string;
  runName: string;
  url?: string;
  offlineDirectory?: string;
}

/** Everything a run report shows. */
export interface RunReportData {
  flowName: string;
  runId: string;
  successful: boolean;
  /** Stopped by an interrupt or its signal (resume continues it), rather than failed. */
  interrupted?: boolean;
  stepRuns: readonly StepRunRow[];
  summaries: readonly RunSummaryData[];
  artifacts: readonly ArtifactRowData[];
  /** The lineage graph, rendered by Graphviz (trusted SVG). */
  lineageSvg?: string;
  /** Offline: the command that uploads these runs. */
  syncCommand?: string;
}

function stepRunCells(row: StepRunRow): TableCell[] {
  const where = row.url ? linkCell(row.url) : row.offlineDirectory ? pathCell(row.offlineDirectory) : "—";
  return [row.step, row.taskId, row.runName, where];
}

const STEP_HEADERS = ["step", "task", "W&B run", "where"];

/** "finished", "interrupted" or "failed". */
function outcomeWord(report: RunReportData): string {
  return report.successful ? "finished" : report.interrupted ? "interrupted" : "failed";
}

/** The report as HTML. */
export function runReportHtml(report: RunReportData): string {
  const parts = [
    `<div class="wbflow-run-report"><h3>${escapeHtml(`${report.flowName}/${report.runId}`)} ${outcomeWord(report)}</h3>`,
  ];
  if (report.stepRuns.length > 0) parts.push(htmlTable(STEP_HEADERS, report.stepRuns.map(stepRunCells), "wbflow-step-runs"));
  for (const summary of report.summaries) parts.push(runSummaryHtml(summary));
  if (report.artifacts.length > 0) parts.push("<h3>Artifacts</h3>", artifactsTableHtml(report.artifacts));
  if (report.lineageSvg) parts.push(`<h3>Lineage</h3><div class="wbflow-lineage">${report.lineageSvg}</div>`);
  if (report.syncCommand) {
    parts.push(`<p>Logged offline. Upload these runs to W&amp;B with <code>${escapeHtml(report.syncCommand)}</code>.</p>`);
  }
  parts.push("</div>");
  return parts.join("");
}

/** The report as plain text. */
export function runReportText(report: RunReportData): string {
  const parts = [`${report.flowName}/${report.runId} ${outcomeWord(report)}`];
  if (report.stepRuns.length > 0) parts.push(textTable(STEP_HEADERS, report.stepRuns.map(stepRunCells)));
  for (const summary of report.summaries) parts.push(runSummaryText(summary));
  if (report.artifacts.length > 0) parts.push("Artifacts:", artifactsTableText(report.artifacts));
  if (report.syncCommand) parts.push(`Logged offline. Upload these runs to W&B with: ${report.syncCommand}`);
  return parts.join("\n\n");
}
