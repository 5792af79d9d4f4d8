/**
 * The `bullmq` executor: every attempt the scheduler hands over becomes one BullMQ job in Redis,
 * run by `wbflow worker` processes on any machine that mounts the run's datastore. The run packages
 * its code first (workers run exactly that code), and the job carries the engine's plain task
 * request; the job's return value is the attempt's plain result. The scheduler, datastore, retries,
 * resume and events stay the engine's: nothing else knows the attempt ran elsewhere.
 */
import { storeRunCode, type RunCode } from "../../datastore/code-package/code-package.js";
import { pathspecOf } from "../../datastore/datastore.js";
import type { RunContext } from "../../runtime/run-context.js";
import type { AttemptResult } from "../../task/task-execution.js";
import type { AttemptAssignment, Executor } from "../executor.js";
import { attemptRequirements } from "../../task/attempt-body.js";
import type { TimeLimit } from "../../task/lifecycle.js";
import { recordLostAttempt } from "../lost-attempt.js";
import { attemptResultOf, flowNotInModule, taskRequestOf } from "../task-request.js";
import { DEFAULT_QUEUE, JOB_FORMAT, type ClusterJobResult } from "./job-data.js";
import { ClusterJobFailedError, ClusterJobWithdrawnError, JobDispatcher } from "./job-dispatcher.js";
import { TaskInterruptedError, TaskNotRunError, WorkerLostError } from "../../errors.js";
import { maskRedisUrl, REDIS_URL_ENV, redisUrlFrom } from "./redis-url.js";

/** Options of the `bullmq` executor (from `RunOptions`). */
export interface BullmqExecutorOptions {
  /** Redis URL; default `$WBFLOW_REDIS_URL`. */
  redis?: string;
  /** Queue name; default "wbflow" (workers' --queue must match). */
  queue?: string;
  /** How long Redis may be away before the run fails (default 60 s; `resume` continues it). */
  redisDownLimitMs?: number;
  /** Files under the flow module's folder with these endings go into the code package too. */
  packageSuffixes?: readonly string[];
}

// A body that keeps the event loop free times out inside the attempt; this grace lets that happen
// first (and covers unpacking and importing the code), before the watchdog ends the child process.
const TIME_LIMIT_GRACE_MS = 2000;

/** The step's own timeout error, saying its process was ended (it was stuck in synchronous code). */
function endedByTimeLimit(timeLimit: TimeLimit, cause: Error): Error {
  const error = timeLimit.error();
  error.message += ` Its process on the worker was ended (${cause.message}).`;
  return error;
}

/** BullMQ's failure of a job whose child process ended mid-job. */
const CHILD_EXIT = /^Unexpected exit code: (\S+) signal: (\S+)$/;

/**
 * The error for a job whose child process ended before the attempt did (`process.exit()` in the step, a
 * kill, a crash), as the processes executor words a lost worker; undefined for any other failure.
 */
function childEnded(pathspec: string, attempt: number, error: Error, memoryMiB: number | undefined): WorkerLostError | undefined {
  const match = CHILD_EXIT.exec(error.message);
  if (!match) return undefined;
  const [, code, signal] = match;
  // The child's watch thread ends it with SIGKILL when it grows past the step's bound.
  const bound =
    signal === "SIGKILL" && memoryMiB !== undefined
      ? ` (most likely it ran out of memory: @resources({ memory: ${memoryMiB} }) ends it when it grows by more than that; memory outside the JavaScript heap, such as typed arrays, counts too)`
      : "";
  const cause = signal !== "null" ? `was killed by ${signal}${bound}` : `exited with code ${code} (process.exit() in the step, or a crash)`;
  return new WorkerLostError(`Task ${pathspec} (attempt ${attempt}) failed: the process running it on a worker ${cause}. @retry on the step runs the task again.`);
}

/** How often a run checks that some worker takes tasks from its queue. */
const WORKER_CHECK_MS = 10_000;

/**
 * Says on stderr, once per time it happens, that no worker is connected to the run's queue: the run's
 * tasks would wait there silently (a worker not started, or started with another --queue or Redis).
 * Returns the function that stops the checks.
 */
function watchForWorkers(dispatcher: JobDispatcher, queue: string, redisUrl: string): () => void {
  let told = false;
  const check = async () => {
    const count = await dispatcher.workerCount();
    if (count === undefined) return;
    if (count > 0) return void (told = false);
    if (told) return;
    told = true;
    process.stderr.write(
      `wbflow: no worker is taking tasks from queue '${queue}' at ${maskRedisUrl(redisUrl)}, so this run's tasks wait there. ` +
        `Start one on a machine that mounts the datastore (wbflow worker --redis URL --queue ${queue}), or check that the ` +
        `workers use this queue name and this Redis.\n`,
    );
  };
  void check();
  const timer = setInterval(() => void check(), WORKER_CHECK_MS);
  timer.unref();
  return () => clearInterval(timer);
}

/**
 * Creates the executor for one run. One closure on purpose: open, runAttempt and close share the
 * run's dispatcher, code package and attempt bookkeeping.
 */
export function bullmqExecutor(options: BullmqExecutorOptions = {}): Executor {
  const redisUrl = redisUrlFrom(
    options.redis,
    process.env,
    `The bullmq executor needs a Redis URL: give --redis redis://host:6379 (wbflow run, %flow run), { redis: "redis://host:6379" } in run options, or set $${REDIS_URL_ENV}.`,
  );
  const queue = options.queue ?? DEFAULT_QUEUE;
  let dispatcher: JobDispatcher | undefined;
  let code: RunCode | undefined;
  let run: RunContext | undefined;
  let stopWatching: (() => void) | undefined;
  /** Per task: how many attempt numbers its jobs' re-runs after dead workers used up. */
  const skipped = new Map<string, number>();

  return {
    name: "bullmq",
    async open(context) {
      if (context.flowModule === undefined) throw flowNotInModule(context.flowName);
      run = context;
      code = await storeRunCode(context.datastore, context.flowName, context.runId, context.flowModule, options.packageSuffixes);
      dispatcher = new JobDispatcher({
        redisUrl,
        queue,
        ...(options.redisDownLimitMs === undefined ? {} : { redisDownLimitMs: options.redisDownLimitMs }),
        // Printed here live, as in-process and the processes executor do (the task's logs hold it too).
        onOutput: (_jobId, chunk) => {
          if (chunk.stdout) process.stdout.write(chunk.stdout);
          if (chunk.stderr) process.stderr.write(chunk.stderr);
        },
      });
      await dispatcher.ready();
      stopWatching = watchForWorkers(dispatcher, queue, redisUrl);
    },
    async runAttempt(assignment: AttemptAssignment): Promise<AttemptResult> {
      if (!dispatcher || !code || !run) throw new Error("The bullmq executor was not opened before its first attempt.");
      const { timeLimit, resources } = attemptRequirements(run, assignment.spec, assignment.attempt);
      const key = pathspecOf({ flowName: run.flowName, runId: run.runId, stepName: assignment.spec.stepName, taskId: assignment.spec.taskId });
      const offset = skipped.get(key) ?? 0;
      const request = taskRequestOf({ ...assignment, attempt: assignment.attempt + offset });
      const jobId = `${key.replaceAll("/", ".")}.${request.task.attempt}`;
      const submitted = Date.now();
      // Interrupted: a job still queued is taken back (a worker would otherwise run it later); a running one is stopped.
      const interrupt = () => void dispatcher!.interrupt(jobId);
      assignment.signal?.addEventListener("abort", interrupt, { once: true });
      // Another task failed: as in-process, no task starts after that, so a job still queued is taken back.
      const withdraw = () => void dispatcher!.withdraw(jobId);
      assignment.runFailed?.addEventListener("abort", withdraw, { once: true });
      let reply: ClusterJobResult;
      try {
        if (assignment.signal?.aborted) throw new ClusterJobWithdrawnError(`Task ${key}: not queued, the run was interrupted.`);
        reply = (await dispatcher.submit(jobId, {
          format: JOB_FORMAT,
          flowName: run.flowName,
          runId: run.runId,
          pathspec: key,
          datastoreRoot: run.datastore.root,
          code,
          ...(timeLimit ? { deadlineMs: timeLimit.milliseconds + TIME_LIMIT_GRACE_MS } : {}),
          ...(resources.memoryMiB === undefined ? {} : { memoryMiB: resources.memoryMiB }),
          request,
        })) as ClusterJobResult;
      } catch (error) {
        if (error instanceof ClusterJobWithdrawnError && !assignment.signal?.aborted && assignment.runFailed?.aborted) {
          const notRun = new TaskNotRunError(
            `Task ${key} (attempt ${request.task.attempt}) was not run: the run had already failed (in task ${String(assignment.runFailed.reason)}) ` +
              `when its job, still waiting for a worker, was removed from queue ${queue}. Resume the run to run it.`,
          );
          return recordLostAttempt({ ...assignment, attempt: request.task.attempt }, notRun);
        }
        if (error instanceof ClusterJobWithdrawnError) {
          const interrupted = new TaskInterruptedError(`Task ${key} (attempt ${request.task.attempt}) was not run: the run was interrupted before a worker took its job, which was removed from queue ${queue}. Resume the run to run it.`);
          return recordLostAttempt({ ...assignment, attempt: request.task.attempt }, interrupted);
        }
        if (!(error instanceof ClusterJobFailedError)) throw error; // Redis is gone: the run stops
        if (assignment.signal?.aborted) {
          const stopped = new TaskInterruptedError(`Task ${key} (attempt ${request.task.attempt}) was stopped because the run was interrupted: its process on the worker was ended. Resume the run to run it again.`);
          return recordLostAttempt({ ...assignment, attempt: request.task.attempt }, stopped);
        }
        // The worker could not run it (refused it, could not load the code, or died on it again
        // and again): stored as a failed attempt, so @retry and @catch apply as to any failure.
        const timedOut = timeLimit !== undefined && Date.now() - submitted >= timeLimit.milliseconds;
        const failure = timedOut ? endedByTimeLimit(timeLimit, error) : (childEnded(key, request.task.attempt, error, resources.memoryMiB) ?? error);
        return recordLostAttempt({ ...assignment, attempt: request.task.attempt }, failure);
      } finally {
        assignment.signal?.removeEventListener("abort", interrupt);
        assignment.runFailed?.removeEventListener("abort", withdraw);
      }
      if (reply.attempt > request.task.attempt) skipped.set(key, offset + reply.attempt - request.task.attempt);
      return attemptResultOf(reply.result);
    },
    async close() {
      stopWatching?.();
      await dispatcher?.close();
    },
  };
}
