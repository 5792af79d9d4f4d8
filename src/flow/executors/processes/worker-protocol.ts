/** Messages between the pool (kernel side) and a worker process, over the fork IPC channel. */
import type { AttemptEvent, PlainError, TaskRequest, TaskResult } from "../task-request.js";

/** Pool → worker. */
export type ToWorker =
  /** Import the flow's module now, so the first task does not wait for it. */
  | { type: "preload"; flow: TaskRequest["flow"] }
  /** Run one attempt. */
  | { type: "run"; id: number; request: TaskRequest };

/** Worker → pool. */
export type FromWorker =
  | { type: "ready" }
  | { type: "event"; id: number; event: AttemptEvent }
  | { type: "result"; id: number; result: TaskResult }
  /** The attempt could not be run at all (e.g. the module failed to import). */
  | { type: "error"; id: number; error: PlainError };
