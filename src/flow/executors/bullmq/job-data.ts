/**
 * What a BullMQ job of a wbflow run carries: which run and code, where the shared datastore is, and
 * the engine's serializable request for one task attempt. Never a secret: each worker takes its
 * W&B key from its own environment or ~/.netrc.
 */
import type { RunCode } from "../../datastore/code-package/code-package.js";
import type { TaskRequest, TaskResult } from "../task-request.js";

/** The format name of job data, checked by workers. */
export const JOB_FORMAT = "wbflow-task/1";

/** The default BullMQ queue name of runs and workers. */
export const DEFAULT_QUEUE = "wbflow";

/** The data of one job: one attempt of one task. */
export interface ClusterJobData {
  format: typeof JOB_FORMAT;
  flowName: string;
  runId: string;
  /** `Flow/run/step/task`, for messages and the job's name. */
  pathspec: string;
  /** The datastore root as the runner sees it; a worker may mount it elsewhere (`--datastore`). */
  datastoreRoot: string;
  /** The run's code package and wbflow version. */
  code: RunCode;
  /**
   * From the step's `@timeout` (plus a grace): the child process running the attempt is killed this
   * long after the attempt starts, even inside a synchronous loop.
   */
  deadlineMs?: number;
  /** From the step's `@resources({ memory })` (MiB): the child process is ended when it grows by more than that (plus a margin) during the job. */
  memoryMiB?: number;
  /** The engine's request for the attempt (its flow module is the runner's path; workers use the package). */
  request: TaskRequest;
}

/** A job's return value: the attempt's result, and the attempt number it was stored under. */
export interface ClusterJobResult {
  /**
   * The request's attempt number, or a later one when the job runs again after its worker died
   * (BullMQ's stalled-job recovery): the lost attempt keeps its number, never marked done.
   */
  attempt: number;
  result: TaskResult;
}
