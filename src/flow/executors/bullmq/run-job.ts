/**
 * A worker's handling of one job: refuse a run of another wbflow version, unpack the run's code,
 * load the flow class from it, and run the attempt through the engine against the shared datastore.
 */
import { UnrecoverableError } from "bullmq";
import { Datastore } from "../../datastore/datastore.js";
import { checkWbflowVersion, extractCodePackage } from "../../datastore/code-package/extract.js";
import { CodePackageError } from "../../datastore/code-package/errors.js";
import type { AttemptEvent, TaskRequest } from "../task-request.js";
import { JOB_FORMAT, type ClusterJobData, type ClusterJobResult } from "./job-data.js";

/** Runs one attempt described by the engine's request; returns the engine's (JSON) result. */
export type RemoteAttemptRunner = (input: {
  flowClass: Function;
  request: TaskRequest;
  datastore: Datastore;
  /** How many times this job started before on workers that died (BullMQ's attemptsStarted - 1). */
  restarts: number;
  /** Receives the attempt's output as it is printed. */
  onEvent?: (event: AttemptEvent) => void;
  signal: AbortSignal;
}) => Promise<ClusterJobResult>;

/** What a worker brings to every job. */
export interface WorkerEnvironment {
  /** Where packages are unpacked; inside the workers' project so npm imports resolve there. */
  codeCacheDir: string;
  /** The shared datastore as mounted on this machine; default: the root the job names. */
  datastoreRoot?: string;
  /** Imports the flow's module and returns the flow class named `flowName`. */
  loadFlowClass(entryFile: string, flowName: string): Promise<Function>;
  /** The engine's worker-side entry for one attempt. */
  runAttempt: RemoteAttemptRunner;
}

const datastores = new Map<string, Datastore>();
/** Flow classes by unpacked module and name: a package's code is imported once per worker process. */
const flowClasses = new Map<string, Promise<Function>>();

/**
 * Handles one job. A job this worker must not run (other wbflow version, unknown format, code that
 * cannot be unpacked) fails with BullMQ's UnrecoverableError, so it is not retried; the runner
 * reports the message.
 */
export async function runClusterJob(
  data: ClusterJobData,
  environment: WorkerEnvironment,
  restarts: number,
  signal: AbortSignal,
  onEvent?: (event: AttemptEvent) => void,
): Promise<ClusterJobResult> {
  if (data?.format !== JOB_FORMAT) {
    throw new UnrecoverableError(`This job is not a ${JOB_FORMAT} task (format ${JSON.stringify(data?.format)}); a wbflow worker cannot run it.`);
  }
  const root = environment.datastoreRoot ?? data.datastoreRoot;
  let datastore = datastores.get(root);
  if (!datastore) {
    datastore = new Datastore({ root });
    datastores.set(root, datastore);
  }
  let entry: string;
  try {
    checkWbflowVersion(data.code, `Task ${data.pathspec}`);
    entry = await extractCodePackage(datastore, data.flowName, data.code, environment.codeCacheDir);
  } catch (error) {
    if (error instanceof CodePackageError) throw new UnrecoverableError(error.message);
    throw error;
  }
  const classKey = `${entry}\0${data.flowName}`;
  let loading = flowClasses.get(classKey);
  if (!loading) {
    loading = environment.loadFlowClass(entry, data.flowName);
    loading.catch(() => flowClasses.delete(classKey));
    flowClasses.set(classKey, loading);
  }
  const flowClass = await loading;
  return environment.runAttempt({ flowClass, request: data.request, datastore, restarts, signal, ...(onEvent ? { onEvent } : {}) });
}
