/**
 * A thread that watches a worker process (the `processes` pool's, or a BullMQ worker's child) from the
 * outside of its main thread, which a step busy in synchronous code (a training loop) keeps from running
 * anything else:
 *
 * - Parent gone: the worker exits when its IPC channel closes, but only once its event loop runs; without
 *   this, a busy worker would live on as an orphan after its kernel, script or `wbflow worker` was killed,
 *   burning a core and storing the attempt of a run that is gone.
 * - Memory: `--max-old-space-size` bounds only the JavaScript heap; typed arrays and Buffers (tensors,
 *   tables, file contents) live outside it. With a bound, the process is ended once its resident memory
 *   grows by more than the bound (plus a margin for V8's own young generation) during one attempt.
 */
import { Worker } from "node:worker_threads";

/** Written to stderr before a kill for memory, so the pool can tell why its worker died. */
export const MEMORY_BOUND_MARK = "wbflow-worker: resident memory over the @resources bound";

const WATCH_SOURCE = `
const { workerData, parentPort } = require("node:worker_threads");
const { writeSync } = require("node:fs");
const { parent, everyMs, growthLimit, mark } = workerData;
let start = process.memoryUsage.rss();
parentPort.on("message", (rss) => (start = rss)); // an attempt starts: its resident memory then
setInterval(() => {
  // Orphaned, a process is adopted by init or a subreaper: its parent id changes.
  if (process.ppid !== parent) process.kill(process.pid, "SIGKILL");
  const grown = process.memoryUsage.rss() - start;
  if (growthLimit !== undefined && grown > growthLimit) {
    writeSync(2, "\\n" + mark + ": grew by " + Math.round(grown / 1048576) + " MiB\\n"); // synchronous: the main thread may be busy
    process.kill(process.pid, "SIGKILL");
  }
}, everyMs);`;

/** How often the thread looks. */
const WATCH_EVERY_MS = 100;

/** What the main thread tells the watch thread. */
export interface WorkerWatch {
  /** An attempt starts now: its memory is counted from here. */
  attemptStarts(): void;
}

/**
 * Starts the watch thread: this process is killed (SIGKILL) soon after its parent process dies and,
 * with `memoryMiB`, once it grows by more than that (plus max(64 MiB, a quarter)) during one attempt.
 */
export function watchWorker(options: { memoryMiB?: number } = {}): WorkerWatch {
  const { memoryMiB } = options;
  const growthLimit = memoryMiB === undefined ? undefined : (memoryMiB + Math.max(64, memoryMiB / 4)) * 1024 * 1024;
  const workerData = { parent: process.ppid, everyMs: WATCH_EVERY_MS, growthLimit, mark: MEMORY_BOUND_MARK };
  const thread = new Worker(WATCH_SOURCE, { eval: true, workerData });
  thread.unref(); // never keeps the process alive by itself
  // Measured here, as the attempt starts: the thread may read the message only once the step has allocated.
  return { attemptStarts: () => thread.postMessage(process.memoryUsage.rss()) };
}
