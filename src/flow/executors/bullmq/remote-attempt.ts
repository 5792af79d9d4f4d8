/**
 * The worker's side of one job, on the engine's executor seam: run the request's attempt with
 * `runTaskRequest`, against the datastore as this machine mounts it and the flow class loaded from
 * the run's code package. A job that runs again after its worker died (BullMQ's stalled-job
 * recovery) first stores the lost attempt as failed, as any executor does with an attempt whose
 * process died; the step's @retry then decides, as for any failure, whether the task runs again here
 * (as the next attempt number, so nothing the lost attempt stored is overwritten) or fails.
 */
import { WorkerLostError } from "../../errors.js";
import { recordLostTaskRequest, runTaskRequest } from "../run-task-request.js";
import type { TaskRequest } from "../task-request.js";
import type { RemoteAttemptRunner } from "./run-job.js";

/** Runs the attempt a job describes and returns the result with the attempt number it was stored under. */
export const runRemoteAttempt: RemoteAttemptRunner = async ({ flowClass, request, datastore, restarts, onEvent }) => {
  const hooks = { loadFlowClass: async () => flowClass, ...(onEvent ? { onEvent } : {}) };
  const attempt = request.task.attempt + restarts;
  const requestFor = (number: number): TaskRequest => ({ ...request, datastoreRoot: datastore.root, task: { ...request.task, attempt: number } });
  if (restarts > 0) {
    const lost = await recordLostTaskRequest(requestFor(attempt - 1), workerLost(request, attempt - 1), hooks);
    if (!lost.retry) return { attempt: attempt - 1, result: lost };
    await new Promise((resolve) => setTimeout(resolve, lost.retry!.delayMs));
  }
  return { attempt, result: await runTaskRequest(requestFor(attempt), hooks) };
};

function workerLost(request: TaskRequest, attempt: number): WorkerLostError {
  const pathspec = `${request.flow.className}/${request.run.runId}/${request.task.stepName}/${request.task.taskId}`;
  return new WorkerLostError(
    `Task ${pathspec} (attempt ${attempt}) failed: the wbflow worker running it stopped renewing its job (the ` +
      `process or its machine died, was killed, or lost Redis), and BullMQ gave the job to another worker. ` +
      `@retry on the step runs the task again after such a loss.`,
  );
}
