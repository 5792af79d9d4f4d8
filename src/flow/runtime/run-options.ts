/** Options of `MyFlow.run(...)` and `MyFlow.resume(...)`. */
import type { Datastore } from "../datastore/datastore.js";
import type { FlowEventListener } from "./events.js";
import type { ExecutorChoice } from "../executors/executor.js";

/** Options of a run. */
export interface RunOptions {
  /** Most tasks running at once (Metaflow's --max-workers). Default 16; with `executor: "processes"`, the number of cores. */
  maxWorkers?: number;
  /** Most splits one foreach may produce (Metaflow's --max-num-splits). Default 100. */
  maxNumSplits?: number;
  /** User tags of the run. */
  tags?: string[];
  /** The datastore to write to; default: `$WBFLOW_DATASTORE`, else `./.wbflow`. */
  datastore?: Datastore;
  /** Called with every event of this run (in addition to `onFlowEvent` listeners). */
  onEvent?: FlowEventListener;
  /** Reject the promise with a FlowRunError when the run fails (default true); otherwise resolve with `successful: false`. */
  throwOnFailure?: boolean;
  /** The user recorded with the run; default from the environment. */
  userName?: string;
  /**
   * Stops the run: no task starts after the signal aborts; attempts running in worker processes
   * (`executor: "processes"`) are ended and stored as failed with a TaskInterruptedError, attempts
   * running in-process finish and are saved; queued `bullmq` jobs are removed and running ones ended
   * on their workers. The run then ends
   * with a FlowRunError whose `interrupted` is true, naming the run and how to resume it. The
   * notebook kernel's interrupt stops every run the same way (see `interruptActiveRuns`).
   */
  signal?: AbortSignal;
  /** Where task attempts run: "in-process" (default), "processes" (worker processes), "bullmq" (Redis workers on many machines, see docs/cluster.md), or an executor object. See docs/executors.md. */
  executor?: ExecutorChoice;
  /**
   * The module file that defines the flow class, for executors that run attempts in other processes;
   * default: found when the class's steps were decorated (a flow defined in a notebook cell has none).
   */
  flowModule?: string;
  /** The `bullmq` executor's Redis URL, e.g. "redis://host:6379" (default `$WBFLOW_REDIS_URL`); never printed unmasked. See docs/cluster.md. */
  redis?: string;
  /** The `bullmq` executor's queue (default "wbflow"); the workers' `--queue` must match. */
  queue?: string;
  /** The `bullmq` executor: how long Redis may be unreachable before the run fails (default 60000 ms; `resume` continues it). */
  redisDownLimitMs?: number;
  /**
   * The `bullmq` executor: also package every file under the flow module's folder whose name ends
   * with one of these, e.g. `[".json", ".csv"]`: files the steps read at run time (configs, small
   * data), found on the workers beside the module (Metaflow's `--package-suffixes`). See docs/cluster.md.
   */
  packageSuffixes?: string[];
  /** Clock in epoch milliseconds, used for run ids; injectable for tests. */
  now?: () => number;
}

/** Options of a resume. */
export interface ResumeOptions extends RunOptions {
  /** The run to resume; default: the flow's latest run. */
  originRunId?: string;
  /** Re-run this step and everything after it, even where the origin run succeeded. */
  step?: string;
}

/** The defaults, as Metaflow's local scheduler. */
export const DEFAULT_MAX_WORKERS = 16;
export const DEFAULT_MAX_NUM_SPLITS = 100;
