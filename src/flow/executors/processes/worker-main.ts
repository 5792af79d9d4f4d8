/**
 * The entry of a worker process of the `processes` executor: runs the attempts the pool sends, one at a
 * time, with the worker-side entry of the executor seam, and reports their output and results, and the
 * local files it loads (so the pool can tell when their code changed). It exits when the pool goes away
 * (the IPC channel closes), so no worker outlives its kernel.
 */
import { importFlowClass, runTaskRequest } from "../run-task-request.js";
import { plainError } from "../task-request.js";
import type { FromWorker, ToWorker } from "./worker-protocol.js";
import { linkWbflow } from "./link-wbflow.js";
import { recordLoadedFiles } from "./loaded-files.js";
import { watchWorker } from "../worker-watch.js";

function send(message: FromWorker): void {
  process.send?.(message);
}

linkWbflow();
recordLoadedFiles((file) => send({ type: "loaded", file }));

// Jupyter interrupts a kernel by sending SIGINT to its whole process group, workers included. An idle
// worker stays (the pool stays warm for the next run); a busy one dies of it as by default (its attempt
// is then recorded as interrupted). No listener while busy: a listener could not run during a busy step.
const stayOnInterrupt = () => undefined;
process.on("SIGINT", stayOnInterrupt);

process.on("disconnect", () => process.exit(0));
// Its parent's death and its memory bound (the pool's --max-old-space-size), watched even while a step keeps this thread busy.
const heapBound = /--max-old-space-size=(\d+)/.exec(process.execArgv.join(" "));
const watch = watchWorker(heapBound ? { memoryMiB: Number(heapBound[1]) } : {});

// A promise a step left rejecting with no handler, or a callback of its throwing: Node would end the
// process with the error on stderr only. Tell the pool what it was (so the task's error says so), then end.
let crashed = false;
process.on("uncaughtException", (error: unknown) => {
  if (crashed) return;
  crashed = true;
  setTimeout(() => process.exit(1), 1000).unref();
  process.send?.({ type: "crash", error: plainError(error instanceof Error ? error : new Error(String(error))) } satisfies FromWorker, () => process.exit(1));
});

// One turn of the event loop after the attempt: a rejection it left unhandled surfaces now, during its
// attempt, not later in whichever task runs next on this worker.
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

process.on("message", (message: ToWorker) => {
  if (message.type === "preload") {
    importFlowClass(message.flow).catch(() => undefined); // a failure is reported by the first task
    return;
  }
  const { id, request, cwd } = message;
  process.off("SIGINT", stayOnInterrupt);
  const reply = async (answer: FromWorker) => {
    await settle();
    if (crashed) return; // the pool reports the crash instead
    process.on("SIGINT", stayOnInterrupt);
    send(answer);
  };
  // The module's import (once per worker) is not the attempt's memory; a failure is the attempt's to report.
  const imported = importFlowClass(request.flow).catch(() => undefined);
  // Its environment is the kernel's as the run's request gives it (not what it was at fork or for an earlier run).
  const attempt = imported.then(() => {
    enterRunFolder(cwd);
    watch.attemptStarts();
    return runTaskRequest(request, { onEvent: (event) => send({ type: "event", id, event }), ownEnv: {} });
  });
  attempt.then(
    (result) => reply({ type: "result", id, result }),
    (error: unknown) => reply({ type: "error", id, error: plainError(error instanceof Error ? error : new Error(String(error))) }),
  );
});
send({ type: "ready" });

/**
 * Relative paths in a step (data files, W&B's ./wandb) mean what they mean to an in-process task: the
 * starting process's working folder now, not the one this worker was forked in, nor one an earlier
 * task's `process.chdir` left behind.
 */
function enterRunFolder(cwd: string): void {
  try {
    process.chdir(cwd);
  } catch (error) {
    throw new Error(`Worker process ${process.pid} cannot enter the run's working folder ${cwd} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}): was it removed? Change to an existing folder and run again.`);
  }
}
