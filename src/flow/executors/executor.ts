/**
 * The executor seam: where a task attempt runs. The scheduler decides what runs when (order, joins,
 * retries, events, resume) and hands each attempt to the run's executor; the executor runs it — in this
 * process, in a worker process, on another machine — and resolves with its result once the attempt's
 * artifacts, logs and metadata are in the datastore. Nothing else in the engine knows which executor ran
 * an attempt.
 *
 * An executor that runs attempts in another process sends a {@link TaskRequest} (plain data, see
 * task-request.ts) to a process that imported the flow's module and calls `runTaskRequest` there; it
 * turns the {@link TaskResult} back into an {@link AttemptResult} with `attemptResultOf`. When the other
 * process is lost mid-attempt, `recordLostAttempt` stores the attempt as failed and applies the
 * decorators' retry decision, as for any failure.
 */
import type { AttemptResult } from "../task/task-execution.js";
import type { BullmqExecutorOptions } from "./bullmq/bullmq-executor.js";
import type { RunContext, TaskSpec } from "../runtime/run-context.js";

/** One attempt handed to an executor. */
export interface AttemptAssignment {
  /** The run-wide facts (flow, graph, datastore, run id, parameters, flow module). */
  run: RunContext;
  /** The task's place in the run: step, task id, parents and their records, foreach frames. */
  spec: TaskSpec;
  /** 0 for the first attempt, then 1, 2... on retries. */
  attempt: number;
  /**
   * The run's stop signal (the user's `signal` or the host's interrupt). When it aborts, an executor
   * that can stop the attempt (or withdraw it before it started) should, and resolve with the attempt
   * recorded as failed with a `TaskInterruptedError` (`recordLostAttempt`): the run then ends as
   * interrupted, not failed, and neither @retry nor @catch applies. One that cannot lets it finish.
   */
  signal: AbortSignal | undefined;
  /**
   * Aborts once another task of the run failed: the run starts no more tasks and ends when the running
   * ones do. An executor holding the attempt before it started (a job still queued) should take it back
   * and resolve with it recorded as failed with a `TaskNotRunError` (`recordLostAttempt`); one already
   * running goes on. Its `reason` is the pathspec of the task that failed. Absent for executors driven
   * outside a run's scheduler.
   */
  runFailed?: AbortSignal;
}

/** Where task attempts run. One executor serves one run: `open` first, `close` last. */
export interface Executor {
  /** The executor's name, as given in `RunOptions.executor` (e.g. "in-process", "processes"). */
  readonly name: string;
  /**
   * Called once before the first task starts. Rejecting fails the run before any task runs, e.g. a
   * flow defined in a notebook cell that a worker process cannot import.
   */
  open(run: RunContext): Promise<void>;
  /**
   * Runs one attempt and resolves once it is stored, with what the scheduler needs next (ok, caught,
   * error, transition, artifacts, retry). A failure of the step is a resolved result, not a rejection;
   * a rejection means the engine itself failed (e.g. the store is unwritable) and stops the run.
   */
  runAttempt(assignment: AttemptAssignment): Promise<AttemptResult>;
  /** Called once when the run ends (finished, failed or interrupted): stop workers, leave nothing running. */
  close(): Promise<void>;
}

/** `RunOptions.executor`: a built-in executor's name, or an executor object (used for one run). */
export type ExecutorChoice = "in-process" | "processes" | "bullmq" | Executor;

/** Options the built-in executors take from the run's options. */
export interface ExecutorSettings {
  /** Most attempts running at once. */
  maxWorkers: number;
  /** The `bullmq` executor's Redis, queue and limits (from `RunOptions.redis`, `queue`, `redisDownLimitMs`). */
  bullmq?: BullmqExecutorOptions;
}
