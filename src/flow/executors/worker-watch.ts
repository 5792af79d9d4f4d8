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
const { parent, everyMs, mark } = workerData;
let start = process.memoryUsage.rss();
let growthLimit = workerData.growthLimit;
// An attempt starts: its resident memory then, and how much it may grow (null: no bound).
parentPort.on("message", (attempt) => {
  start = attempt.rss;
  growthLimit = attempt.growthLimit ?? undefined;
});
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
  /**
   * An attempt starts now: its memory is counted from here, bounded by `memoryMiB` when given (a
   * BullMQ child gets it per job), else by the process's own bound.
   */
  attemptStarts(memoryMiB?: number): void;
}

/** How much a process bounded to `memoryMiB` may grow during an attempt: the bound, plus max(64 MiB, a quarter) for V8's young generation. */
function growthLimitOf(memoryMiB: number | undefined): number | null {
  return memoryMiB === undefined ? null : (memoryMiB + Math.max(64, memoryMiB / 4)) * 1024 * 1024;
}

/**
 * Starts the watch thread: this process is killed (SIGKILL) soon after its parent process dies and,
 * with a memory bound (`memoryMiB` here, or per attempt), once it grows by more than the bound (plus
 * max(64 MiB, a quarter)) during one attempt.
 */
export function watchWorker(options: { memoryMiB?: number } = {}): WorkerWatch {
  const ownLimit = growthLimitOf(options.memoryMiB);
  const workerData = { parent: process.ppid, everyMs: WATCH_EVERY_MS, growthLimit: ownLimit ?? undefined, mark: MEMORY_BOUND_MARK };
  const thread = new Worker(WATCH_SOURCE, { eval: true, workerData });
  thread.unref(); // never keeps the process alive by itself
  return {
    // Measured here, as the attempt starts: the thread may read the message only once the step has allocated.
    attemptStarts: (memoryMiB) =>
      thread.postMessage({ rss: process.memoryUsage.rss(), growthLimit: memoryMiB === undefined ? ownLimit : growthLimitOf(memoryMiB) }),
  };
}
