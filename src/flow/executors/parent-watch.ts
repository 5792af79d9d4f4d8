/**
 * The end of a worker whose parent died. A worker process (the `processes` pool's, or a BullMQ worker's
 * child) already exits when its IPC channel closes, but only once its event loop runs: a step busy in
 * synchronous code (a training loop) never lets it, so the worker would live on as an orphan after its
 * kernel, script or `wbflow worker` was killed, still burning a core and storing the attempt of a run
 * that is gone. A thread of its own (its own event loop) notices the parent is gone and kills the process.
 */
import { Worker } from "node:worker_threads";

const PARENT_WATCH_SOURCE = `
const { workerData } = require("node:worker_threads");
// Orphaned, a process is adopted by init or a subreaper: its parent id changes.
setInterval(() => { if (process.ppid !== workerData.parent) process.kill(process.pid, "SIGKILL"); }, workerData.everyMs);`;

/** How often the thread looks at the parent process id. */
const WATCH_EVERY_MS = 250;

/** Kills this process (SIGKILL) soon after its parent process dies, even while its main thread is busy. */
export function dieWithParent(): void {
  const thread = new Worker(PARENT_WATCH_SOURCE, { eval: true, workerData: { parent: process.ppid, everyMs: WATCH_EVERY_MS } });
  thread.unref(); // never keeps the worker alive by itself
}
