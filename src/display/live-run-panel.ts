/**
 * The one live display of a running flow: its graph coloured by step state, a row per step with its
 * state, foreach progress (`37/100`) and current W&B run links, and the elapsed time. Re-rendered in
 * place (`update_display_data`) as the run advances.
 */
import { escapeHtml } from "./html-escape.js";
import { htmlTable, textTable, type TableCell } from "./html-table.js";
import { linkHtml } from "./link.js";
import { formatDuration } from "./short-value.js";
import type { StepState } from "./flow-dag.js";

/** Where a step's W&B run can be seen: a URL online, a directory offline. */
export interface RunLocation {
  label: string;
  url?: string;
  directory?: string;
}

/** One step's row. */
export interface LiveStepRow {
  name: string;
  state: StepState;
  finishedTasks: number;
  /** Known once the step's tasks are scheduled (foreach: the number of splits). */
  totalTasks?: number;
  runs: readonly RunLocation[];
}

/** Everything the live panel shows. */
export interface LiveRunData {
  flowName: string;
  runId: string;
  state: "running" | "succeeded" | "failed" | "interrupted";
  elapsedMs: number;
  /** The graph, already rendered by Graphviz (trusted SVG: Graphviz escapes label text). */
  dagSvg?: string;
  steps: readonly LiveStepRow[];
}

const STATE_TEXT: Record<StepState, string> = { pending: "pending", running: "running", retrying: "retrying", done: "done", failed: "failed", stopped: "stopped" };

function progress(step: LiveStepRow): string {
  if (step.totalTasks === undefined || step.totalTasks <= 1) return step.state === "done" ? "1/1" : "";
  return `${step.finishedTasks}/${step.totalTasks}`;
}

function runsCell(step: LiveStepRow): TableCell {
  const shown = step.runs.slice(-3);
  const more = step.runs.length - shown.length;
  const html = shown
    .map((run) => (run.url ? linkHtml(run.url, run.label) : `<code>${escapeHtml(run.directory ?? run.label)}</code>`))
    .join(", ");
  const text = shown.map((run) => run.url ?? run.directory ?? run.label).join(", ");
  return { html: html + (more > 0 ? ` (+${more})` : ""), text: text + (more > 0 ? ` (+${more})` : "") };
}

function headline(data: LiveRunData): string {
  const verb = { running: "Running", succeeded: "Finished", failed: "Failed", interrupted: "Interrupted" }[data.state];
  return `${verb} ${data.flowName}/${data.runId} · ${formatDuration(data.elapsedMs)}`;
}

/** The panel as HTML (class `wbflow-live-run`). */
export function liveRunHtml(data: LiveRunData): string {
  const rows = data.steps.map((step): TableCell[] => [step.name, STATE_TEXT[step.state], progress(step), runsCell(step)]);
  const graph = data.dagSvg ? `<div class="wbflow-dag" style="max-width:28em">${data.dagSvg}</div>` : "";
  return (
    `<div class="wbflow-live-run"><div><strong>${escapeHtml(headline(data))}</strong></div>` +
    `<div style="display:flex;gap:2em;align-items:flex-start;flex-wrap:wrap">${graph}` +
    `${htmlTable(["step", "state", "tasks", "W&B runs"], rows, "wbflow-steps-table")}</div></div>`
  );
}

/** The panel as plain text (terminals, text-only frontends). */
export function liveRunText(data: LiveRunData): string {
  const rows = data.steps.map((step): TableCell[] => [step.name, STATE_TEXT[step.state], progress(step), runsCell(step)]);
  return `${headline(data)}\n${textTable(["step", "state", "tasks", "W&B runs"], rows)}`;
}
