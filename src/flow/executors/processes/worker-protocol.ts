/** Messages between the pool (kernel side) and a worker process, over the fork IPC channel. */
import type { AttemptEvent, PlainError, TaskRequest, TaskResult } from "../task-request.js";
import type { LoadedFile } from "./loaded-files.js";

/** Pool → worker. */
export type ToWorker =
  /** Import the flow's module now, so the first task does not wait for it. */
  | { type: "preload"; flow: TaskRequest["flow"] }
  /** Run one attempt. */
  /** `cwd`: the working folder of the process that started the run, now (as an in-process task would have it). */
  | { type: "run"; id: number; request: TaskRequest; cwd: string };

/** Worker → pool. */
export type FromWorker =
  | { type: "ready" }
  /** The worker loaded a local file (the flow's module or one it imports): the pool checks it for changes before later runs. */
  | { type: "loaded"; file: LoadedFile }
  | { type: "event"; id: number; event: AttemptEvent }
  | { type: "result"; id: number; result: TaskResult }
  /** The attempt could not be run at all (e.g. the module failed to import). */
  | { type: "error"; id: number; error: PlainError }
  /** An error no code caught (an unhandled promise rejection, a callback that threw): the worker ends right after. */
  | { type: "crash"; error: PlainError };
