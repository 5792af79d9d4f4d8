/**
 * A wbflow worker: a BullMQ Worker that takes task jobs from the queue and runs each in a child
 * process until closed. This process only renews each active job's lock; if it dies, the lock
 * expires, another worker's stalled-job check puts the job back in the queue, and it goes on
 * elsewhere (the lost attempt stored as failed, then @retry decides: see remote-attempt.ts).
 */
import { QueueEvents, Worker, type Job, type QueueEventsListener } from "bullmq";
import { hostname } from "node:os";
import path from "node:path";
import type { ClusterJobData, ClusterJobResult } from "./job-data.js";
import { redactRedisSecrets } from "./redis-url.js";
import { CHILD_ENV } from "./child-env.js";
import { MAX_ATTEMPTS } from "../../task/attempt-limit.js";
import { CANCEL_EVENT, isChildStarted, JobStopper } from "./job-cancel.js";

/** BullMQ's default job lock: a dead worker's jobs run again within about twice this. */
export const DEFAULT_LOCK_DURATION_MS = 30_000;

/** The runners' cancel events, as a worker's QueueEvents reports them. */
interface CancelListener extends QueueEventsListener {
  [CANCEL_EVENT]: (event: { jobId: string }, id: string) => void;
}

/** Options of {@link startClusterWorker}. */
export interface ClusterWorkerOptions {
  redisUrl: string;
  queue: string;
  /** Jobs run at once, each in a child process of this worker. */
  concurrency: number;
  /** How long a job's lock lasts without renewal; also the stalled-job check interval. */
  lockDurationMs?: number;
  /** Where run code is unpacked (inside the flow project, so its npm imports resolve). */
  codeCacheDir: string;
  /** Where this machine mounts the shared datastore; default: the path each job names. */
  datastoreRoot?: string;
  /** One line per event worth telling an operator (never holds the Redis password). */
  log(line: string): void;
}

/** A running worker. */
export interface ClusterWorker {
  /** Resolves once connected to Redis and taking jobs. */
  ready: Promise<void>;
  /** Jobs being run now. */
  readonly active: number;
  /** Stops taking jobs, lets the running ones finish (unless their run stops them), then stops the child processes and disconnects. */
  close(): Promise<void>;
}

/** Starts taking jobs from `options.queue`, running each in a child process (BullMQ's sandboxed processors). */
export function startClusterWorker(options: ClusterWorkerOptions): ClusterWorker {
  const lockDuration = options.lockDurationMs ?? DEFAULT_LOCK_DURATION_MS;
  const clean = (text: string) => redactRedisSecrets(text, options.redisUrl);
  const label = (job: Job<ClusterJobData> | undefined) => `[${job?.data?.pathspec ?? job?.id ?? "?"}]`;
  const active = new Set<string>();
  const connection = { url: options.redisUrl, maxRetriesPerRequest: null };
  const worker = new Worker<ClusterJobData, ClusterJobResult>(options.queue, new URL("./sandboxed-processor.js", import.meta.url), {
    connection,
    name: `${hostname()}:${process.pid}`,
    concurrency: options.concurrency,
    lockDuration,
    stalledInterval: lockDuration,
    // A job whose worker died runs again elsewhere, where @retry decides whether the task goes on
    // (remote-attempt.ts); BullMQ's own limit is only a backstop, at the engine's attempt limit.
    maxStalledCount: MAX_ATTEMPTS - 1,
    workerForkOptions: {
      env: {
        ...process.env,
        [CHILD_ENV.codeCache]: path.resolve(options.codeCacheDir),
        ...(options.datastoreRoot === undefined ? {} : { [CHILD_ENV.datastore]: path.resolve(options.datastoreRoot) }),
      },
    },
  });
  const labels = new Map<string, string>();
  const stopper = new JobStopper((jobId, pid) => options.log(`${labels.get(jobId) ?? `[${jobId}]`} stopping: its run was interrupted (ending child process ${pid})`));
  // Runners publish their cancels on the queue's event stream, read from when this worker is ready on.
  const cancels = new QueueEvents(options.queue, { connection });
  cancels.on<CancelListener>(CANCEL_EVENT, ({ jobId }: { jobId: string }) => stopper.cancel(jobId));
  worker.on("active", (job) => {
    active.add(job.id!);
    labels.set(job.id!, label(job));
    options.log(`${label(job)} started (job ${job.id}${job.attemptsStarted > 1 ? `, run ${job.attemptsStarted} after a stalled worker` : ""})`);
  });
  worker.on("progress", (job, progress) => {
    if (isChildStarted(progress)) stopper.childStarted(job.id!, progress.pid);
  });
  const ended = (jobId: string) => {
    active.delete(jobId);
    labels.delete(jobId);
    stopper.ended(jobId);
  };
  worker.on("completed", (job, result) => {
    ended(job.id!);
    options.log(`${label(job)} attempt ${result.attempt} ${result.result.status}`);
  });
  worker.on("failed", (job, error) => {
    if (job?.id === undefined) return void options.log(`[?] refused or failed: ${clean(error.message)}`);
    const stopped = stopper.wasStopped(job.id);
    ended(job.id);
    options.log(stopped ? `${label(job)} stopped: its run was interrupted` : `${label(job)} refused or failed: ${clean(error.message)}`);
  });
  let lastError = "";
  const reportError = (error: Error) => {
    // ioredis reconnects by itself; say so once per distinct problem rather than per retry.
    const message = clean(error.message);
    if (message !== lastError) options.log(`Redis connection problem (reconnecting): ${message}`);
    lastError = message;
  };
  worker.on("error", reportError);
  cancels.on("error", reportError);
  worker.on("ready", () => {
    if (lastError) options.log("Redis connection is back.");
    lastError = "";
  });
  return {
    ready: Promise.all([worker.waitUntilReady(), cancels.waitUntilReady()]).then(() => undefined),
    get active() {
      return active.size;
    },
    close: async () => {
      await worker.close();
      await cancels.close();
    },
  };
}
