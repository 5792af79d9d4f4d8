/**
 * The file BullMQ runs in each of a worker's child processes (its "sandboxed processor"): one job
 * at a time per child, so a long synchronous step never stops the parent from renewing the job's
 * lock (a blocked lock would make BullMQ think the worker died and run the task twice), and a step
 * that crashes its process fails only its attempt. Children are reused, so the flow's module is
 * imported once per child. The parent passes its settings in the environment (see cluster-worker).
 */
import type { SandboxedJob } from "bullmq";
import { CHILD_ENV } from "./child-env.js";
import type { ClusterJobData, ClusterJobResult } from "./job-data.js";
import { importPackagedFlow } from "./import-packaged-flow.js";
import { runRemoteAttempt } from "./remote-attempt.js";
import { runClusterJob } from "./run-job.js";
import { armWatchdog } from "./watchdog.js";
import { OutputForwarder } from "./output-forwarder.js";
import type { ChildStarted } from "./job-cancel.js";
import { watchWorker } from "../worker-watch.js";

// A child whose worker died must not finish its task: the job runs again elsewhere as the next attempt.
process.on("disconnect", () => process.exit(1));
const watch = watchWorker(); // its parent's death and each job's memory bound, also while a step keeps this thread busy

/** Runs one job in this child. */
export default async function processJob(job: SandboxedJob<ClusterJobData>): Promise<ClusterJobResult> {
  const datastoreRoot = process.env[CHILD_ENV.datastore];
  const environment = {
    codeCacheDir: process.env[CHILD_ENV.codeCache] ?? ".wbflow-code",
    ...(datastoreRoot ? { datastoreRoot } : {}),
    loadFlowClass: importPackagedFlow,
    runAttempt: runRemoteAttempt,
  };
  // First of all, so the worker can end this child if the run is interrupted (see job-cancel.ts).
  await job.updateProgress({ pid: process.pid } satisfies ChildStarted);
  const output = new OutputForwarder((chunk) => job.updateProgress(chunk));
  armWatchdog(job.data.deadlineMs);
  watch.attemptStarts(job.data.memoryMiB);
  try {
    const restarts = Math.max(0, (job.attemptsStarted ?? 1) - 1);
    return await runClusterJob(job.data, environment, restarts, new AbortController().signal, (event) => output.add(event));
  } finally {
    armWatchdog(0);
    await output.flush(); // before the result, so the runner prints it first
  }
}
