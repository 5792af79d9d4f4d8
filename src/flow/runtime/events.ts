/** Run events for live progress displays: a process-wide listener list plus a per-run callback. */
import type { GraphInfo } from "../graph/graph-info.js";

interface TaskEventBase {
  flowName: string;
  runId: string;
  stepName: string;
  taskId: string;
  /** `Flow/run/step/task`. */
  pathspec: string;
  /** Innermost foreach index, if the task is inside a foreach. */
  foreachIndex?: number;
  /** Number of splits of the innermost foreach, if any. */
  foreachNumSplits?: number;
  retryCount: number;
}

/** Everything a run reports while it runs. */
export type FlowEvent =
  | { type: "run-started"; flowName: string; runId: string; graph: GraphInfo; parameters: Record<string, unknown>; originRunId?: string }
  | (TaskEventBase & { type: "task-started" })
  | (TaskEventBase & { type: "task-finished"; cloned: boolean; foreachSplits?: number })
  | (TaskEventBase & { type: "task-retrying"; error: Error })
  | (TaskEventBase & { type: "task-failed"; error: Error; handledByCatch: boolean })
  | { type: "run-finished"; flowName: string; runId: string; successful: boolean; error?: Error };

/** Receives flow events. */
export type FlowEventListener = (event: FlowEvent) => void;

const listeners = new Set<FlowEventListener>();

/** Subscribes to the events of every run in this process; returns the unsubscribe function. */
export function onFlowEvent(listener: FlowEventListener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Delivers an event to the run's own listener and every process-wide one; a throwing listener is reported, not fatal. */
export function emitFlowEvent(event: FlowEvent, runListener?: FlowEventListener): void {
  for (const listener of runListener ? [runListener, ...listeners] : [...listeners]) {
    try {
      listener(event);
    } catch (error) {
      process.emitWarning(`A flow event listener threw on '${event.type}': ${(error as Error).message}`);
    }
  }
}
