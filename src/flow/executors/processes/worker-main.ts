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
process.on("message", (message: ToWorker) => {
  if (message.type === "preload") {
    importFlowClass(message.flow).catch(() => undefined); // a failure is reported by the first task
    return;
  }
  const { id, request } = message;
  process.off("SIGINT", stayOnInterrupt);
  const reply = (answer: FromWorker) => {
    process.on("SIGINT", stayOnInterrupt);
    send(answer);
  };
  runTaskRequest(request, { onEvent: (event) => send({ type: "event", id, event }) }).then(
    (result) => reply({ type: "result", id, result }),
    (error: unknown) => reply({ type: "error", id, error: plainError(error instanceof Error ? error : new Error(String(error))) }),
  );
});
send({ type: "ready" });
