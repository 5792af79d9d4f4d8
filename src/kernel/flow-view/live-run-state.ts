/**
 * The state of a running flow as the live display shows it, folded from flow events: each step's
 * state and task counts (foreach progress), W&B run locations, and when the run started.
 */
import type { FlowEvent } from "../../flow/runtime/events.js";
import type { GraphInfo } from "../../flow/graph/graph-info.js";
import type { StepState, StepStatus } from "../../display/flow-dag.js";
import type { LiveStepRow, RunLocation } from "../../display/live-run-panel.js";

interface StepProgress {
  state: StepState;
  started: number;
  finished: number;
  failed: number;
  total?: number;
  runs: RunLocation[];
}

/** A run's live state; feed it every event of the run with {@link LiveRunState.apply}. */
export class LiveRunState {
  readonly steps = new Map<string, StepProgress>();
  outcome: "running" | "succeeded" | "failed" | "interrupted" = "running";

  constructor(readonly flowName: string, readonly runId: string, readonly graph: GraphInfo, readonly startedAt: number) {
    for (const name of Object.keys(graph.steps)) this.steps.set(name, { state: "pending", started: 0, finished: 0, failed: 0, runs: [] });
  }

  /** Updates the state with one event of this run. */
  apply(event: FlowEvent): void {
    if (event.type === "run-started") return;
    if (event.type === "run-finished") {
      const interrupted = (event.error as { interrupted?: boolean } | undefined)?.interrupted === true;
      this.outcome = event.successful ? "succeeded" : interrupted ? "interrupted" : "failed";
      return;
    }
    const step = this.steps.get(event.stepName);
    if (!step) return;
    if (event.foreachNumSplits !== undefined) step.total = event.foreachNumSplits;
    switch (event.type) {
      case "task-started":
        if (event.retryCount === 0) step.started++;
        step.state = "running";
        break;
      case "task-retrying":
        step.state = "retrying";
        break;
      case "task-finished":
        step.finished++;
        step.state = step.finished >= (step.total ?? step.started) ? "done" : "running";
        break;
      case "task-failed":
        if (event.handledByCatch) {
          step.finished++;
          step.state = step.finished >= (step.total ?? step.started) ? "done" : "running";
        } else if (event.error.name === "TaskInterruptedError") {
          step.state = "stopped"; // not the step's fault: resume runs it again
        } else if (event.error.name === "TaskNotRunError") {
          step.started--; // taken back before it ran, as the run had failed elsewhere: neither run nor failed
        } else {
          step.failed++;
          step.state = "failed";
        }
        break;
    }
  }

  /** Records where a task's W&B run can be seen. */
  addRunLocation(stepName: string, location: RunLocation): void {
    this.steps.get(stepName)?.runs.push(location);
  }

  /** Step colours and counts for the graph. */
  statuses(): Record<string, StepStatus> {
    const statuses: Record<string, StepStatus> = {};
    for (const [name, step] of this.steps) {
      statuses[name] = { state: step.state, finishedTasks: step.finished, ...(step.total !== undefined ? { totalTasks: step.total } : {}) };
    }
    return statuses;
  }

  /** Rows for the step table, in the graph's (topological) order. */
  rows(): LiveStepRow[] {
    return [...this.steps].map(([name, step]) => ({
      name,
      state: step.state,
      finishedTasks: step.finished,
      ...(step.total !== undefined ? { totalTasks: step.total } : step.started > 1 ? { totalTasks: step.started } : {}),
      runs: step.runs,
    }));
  }
}
