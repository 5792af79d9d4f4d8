/**
 * Shows every flow run started in the kernel — by `%flow run` or by `await MyFlow.run()` in a cell —
 * as one live-updating display (graph, step states, foreach progress, elapsed time, W&B run links),
 * followed when it ends by the run report (links, summaries, artifacts, lineage).
 */
import type { Datastore } from "../../flow/datastore/datastore.js";
import { onFlowEvent, type FlowEvent } from "../../flow/runtime/events.js";
import { flowDagDot } from "../../display/flow-dag.js";
import { renderDotToSvg } from "../../display/graphviz.js";
import { liveRunHtml, liveRunText } from "../../display/live-run-panel.js";
import { runReportHtml, runReportText } from "../../display/run-report.js";
import type { MimeBundle } from "../../display/mime-bundle.js";
import { activeOutput, deferOutput } from "../cells/active-output.js";
import type { CellOutput } from "../cells/cell-output.js";
import { LiveRunState } from "./live-run-state.js";

/** Runs whose report was already shown in a cell, so a FlowRun result in that cell is not shown twice. */
const reportedInCell = new WeakMap<CellOutput, Set<string>>();

/** True when the report of `runId` was already shown in the output of the current cell. */
export function reportShownInCell(output: CellOutput | undefined, flowName: string, runId: string): boolean {
  return output !== undefined && (reportedInCell.get(output)?.has(`${flowName}/${runId}`) ?? false);
}

/** Options of {@link watchFlowRuns}. */
export interface FlowRunWatcherOptions {
  /** Epoch milliseconds (injectable for tests). */
  now?: () => number;
}

/** Starts showing flow runs in the active cell; returns the function that stops it. */
export function watchFlowRuns(options: FlowRunWatcherOptions = {}): () => void {
  const now = options.now ?? Date.now;
  const live = new Map<string, LiveRunView>();
  return onFlowEvent((event) => {
    const key = `${event.flowName}/${event.runId}`;
    if (event.type === "run-started") {
      const output = activeOutput();
      if (!output) return;
      const view = new LiveRunView(output, new LiveRunState(event.flowName, event.runId, event.graph, now()), now);
      live.set(key, view);
      view.changed();
      return;
    }
    const view = live.get(key);
    if (!view) return;
    view.apply(event);
    if (event.type === "run-finished") {
      live.delete(key);
      deferOutput(view.finish().catch((error: unknown) => view.reportFailure(error)));
    }
  });
}

/** One run's live display: re-rendered after each event, never more than one render at a time. */
class LiveRunView {
  private readonly displayId = `wbflow-run-${Math.random().toString(36).slice(2)}`;
  private shown = false;
  private rendering: Promise<void> | undefined;
  private dirty = false;
  // The datastore and W&B readers load with the first run, not with the kernel.
  private datastore: Promise<Datastore> | undefined;
  private readonly finishedTasks: { stepName: string; taskId: string }[] = [];
  /** When the run ended: the final panel shows the run's time, not the time its last render waited. */
  private endedAt: number | undefined;

  constructor(
    private readonly output: CellOutput,
    private readonly state: LiveRunState,
    private readonly now: () => number,
  ) {}

  apply(event: FlowEvent): void {
    if (event.type === "run-finished") this.endedAt = this.now();
    this.state.apply(event);
    if (event.type === "task-finished" || (event.type === "task-failed" && event.handledByCatch)) {
      this.finishedTasks.push({ stepName: event.stepName, taskId: event.taskId });
      deferOutput(this.addRunLink(event.stepName, event.taskId).then(() => this.changed()));
    }
    this.changed();
  }

  /** Asks for a re-render; renders coalesce so a burst of events costs one or two renders. */
  changed(): void {
    if (this.rendering) {
      this.dirty = true;
      return;
    }
    this.rendering = this.render().catch((error: unknown) => this.reportFailure(error)).finally(() => {
      this.rendering = undefined;
      if (this.dirty) {
        this.dirty = false;
        this.changed();
      }
    });
  }

  private openDatastore(): Promise<Datastore> {
    this.datastore ??= import("../../flow/datastore/datastore.js").then(({ Datastore }) => new Datastore());
    return this.datastore;
  }

  /** Final render of the live panel, then the run report below it. */
  async finish(): Promise<void> {
    while (this.rendering) await this.rendering;
    await this.render();
    const { buildRunReport } = await import("./run-report-builder.js");
    const report = await buildRunReport({
      flowName: this.state.flowName,
      runId: this.state.runId,
      successful: this.state.outcome === "succeeded",
      interrupted: this.state.outcome === "interrupted",
      tasks: this.finishedTasks,
      datastore: await this.openDatastore(),
    });
    this.output.display({ "text/plain": runReportText(report), "text/html": runReportHtml(report) });
    const reported = reportedInCell.get(this.output) ?? new Set<string>();
    reported.add(`${this.state.flowName}/${this.state.runId}`);
    reportedInCell.set(this.output, reported);
  }

  /** Shows why the report could not be made, instead of losing the error. */
  reportFailure(error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    this.output.stream("stderr", `wbflow: could not build the report of ${this.state.flowName}/${this.state.runId}: ${message}\n`);
  }

  private async addRunLink(stepName: string, taskId: string): Promise<void> {
    const { readTaskWandbRun } = await import("../../integration/report/task-wandb-run.js");
    const run = await readTaskWandbRun(await this.openDatastore(), { flowName: this.state.flowName, runId: this.state.runId, stepName, taskId });
    if (!run) return;
    this.state.addRunLocation(stepName, { label: run.runId, ...(run.url ? { url: run.url } : { directory: run.directory }) });
  }

  private async render(): Promise<void> {
    const dagSvg = await renderDotToSvg(flowDagDot({ flowName: this.state.flowName, steps: this.state.graph.steps }, this.state.statuses()));
    const data = {
      flowName: this.state.flowName,
      runId: this.state.runId,
      state: this.state.outcome,
      elapsedMs: (this.endedAt ?? this.now()) - this.state.startedAt,
      dagSvg,
      steps: this.state.rows(),
    };
    const bundle: MimeBundle = { "text/plain": liveRunText(data), "text/html": liveRunHtml(data) };
    this.output.display(bundle, { displayId: this.displayId, update: this.shown });
    this.shown = true;
  }
}
