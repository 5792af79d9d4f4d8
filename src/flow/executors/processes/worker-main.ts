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

process.on("disconnect", () => process.exit(0));
process.on("message", (message: ToWorker) => {
  if (message.type === "preload") {
    importFlowClass(message.flow).catch(() => undefined); // a failure is reported by the first task
    return;
  }
  const { id, request } = message;
  runTaskRequest(request, { onEvent: (event) => send({ type: "event", id, event }) }).then(
    (result) => send({ type: "result", id, result }),
    (error: unknown) => send({ type: "error", id, error: plainError(error instanceof Error ? error : new Error(String(error))) }),
  );
});
send({ type: "ready" });
