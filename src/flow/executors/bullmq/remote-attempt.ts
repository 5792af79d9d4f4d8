/**
 * The worker's side of one job, on the engine's executor seam: run the request's attempt with
 * `runTaskRequest`, against the datastore as this machine mounts it and the flow class loaded from
 * the run's code package. A job that runs again after its worker died runs as the next attempt, so
 * the lost one (started, never done) stays visible as such and nothing it stored is overwritten.
 */
import { runTaskRequest } from "../run-task-request.js";
import type { RemoteAttemptRunner } from "./run-job.js";

/** Runs the attempt a job describes and returns the result with the attempt number it was stored under. */
export const runRemoteAttempt: RemoteAttemptRunner = async ({ flowClass, request, datastore, restarts, onEvent }) => {
  const attempt = request.task.attempt + restarts;
  const result = await runTaskRequest(
    { ...request, datastoreRoot: datastore.root, task: { ...request.task, attempt } },
    { loadFlowClass: async () => flowClass, ...(onEvent ? { onEvent } : {}) },
  );
  return { attempt, result };
};
