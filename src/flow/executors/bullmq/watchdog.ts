/**
 * The end of a runaway step in a worker's child process. A step's `@timeout` fails an async body
 * from inside the attempt, but a synchronous loop never gives the event loop back, so no timer of
 * the child can fire: a watchdog thread (its own event loop) kills the child at the deadline. The
 * worker process sees its child die, fails the job, and forks a fresh child for the next one.
 */
import { Worker } from "node:worker_threads";

const WATCHDOG_SOURCE = `
const { parentPort } = require("node:worker_threads");
let timer;
parentPort.on("message", (ms) => {
  clearTimeout(timer);
  if (ms > 0) timer = setTimeout(() => process.kill(process.pid, "SIGKILL"), ms);
});`;

let thread: Worker | undefined;

/** Kills this process `ms` from now unless disarmed (0 or undefined disarms). */
export function armWatchdog(ms: number | undefined): void {
  if (!ms && !thread) return;
  if (!thread) {
    thread = new Worker(WATCHDOG_SOURCE, { eval: true });
    thread.unref();
  }
  thread.postMessage(ms ?? 0);
}
