/**
 * The runner's side of the queue: adds one BullMQ job per task attempt and settles each with the
 * job's return value or failure, as QueueEvents reports them. Two safety nets keep a run from
 * hanging: a periodic check of every pending job's state (an event missed while Redis was away, or
 * a job Redis lost in a restart without persistence), and a limit on how long Redis may stay away.
 */
import { Queue, QueueEvents, QueueEventsProducer } from "bullmq";
import type { ClusterJobData } from "./job-data.js";
import { CANCEL_EVENT } from "./job-cancel.js";
import type { OutputChunk } from "./output-forwarder.js";
import { maskRedisUrl, redactRedisSecrets } from "./redis-url.js";

/** A job failed on its worker (the attempt failed, or the worker refused it). */
export class ClusterJobFailedError extends Error {
  override name = "ClusterJobFailedError";
}

/** A job was taken back out of the queue before any worker took it (the run was interrupted). */
export class ClusterJobWithdrawnError extends Error {
  override name = "ClusterJobWithdrawnError";
}

/** Redis cannot be reached, or lost the run's jobs: the run stops; `resume` continues it later. */
export class ClusterUnavailableError extends Error {
  override name = "ClusterUnavailableError";
}

/** Options of a {@link JobDispatcher}. */
export interface JobDispatcherOptions {
  redisUrl: string;
  queue: string;
  /** How long Redis may be unreachable before pending jobs fail (default 60 s). */
  redisDownLimitMs?: number;
  /** How often pending jobs' states are checked (default 5 s). */
  checkIntervalMs?: number;
  /** Told when a job's worker died and BullMQ put the job back to run elsewhere. */
  onStalled?(jobId: string): void;
  /** Receives a running job's output, as its worker sends it. */
  onOutput?(jobId: string, chunk: OutputChunk): void;
}

interface Pending {
  data: ClusterJobData;
  /** Set once Redis has the job (before that, its absence means nothing). */
  added: boolean;
  /** Settles once the job's add has been answered (either way). */
  addAnswered: Promise<unknown>;
  resolve(value: unknown): void;
  reject(error: Error): void;
}

/** The states of a job no worker has taken yet. */
const QUEUED_STATES = new Set(["waiting", "delayed", "prioritized", "waiting-children"]);

/** Submits jobs and waits for their outcomes; one per run. */
export class JobDispatcher {
  private readonly queue: Queue<ClusterJobData>;
  private readonly events: QueueEvents;
  private readonly pending = new Map<string, Pending>();
  private readonly timer: NodeJS.Timeout;
  /** Publishes cancels; made on the first interrupt (most runs never need it). */
  private cancels: QueueEventsProducer | undefined;
  private downSince: number | undefined;
  private closed = false;
  private checking = false;

  constructor(private readonly options: JobDispatcherOptions) {
    const connection = { url: options.redisUrl, maxRetriesPerRequest: null };
    this.queue = new Queue<ClusterJobData>(options.queue, { connection });
    this.events = new QueueEvents(options.queue, { connection });
    this.events.on("completed", ({ jobId, returnvalue }) => this.settle(jobId, { value: returnvalue }));
    this.events.on("failed", ({ jobId, failedReason }) => this.settle(jobId, { failure: failedReason }));
    this.events.on("progress", ({ jobId, data }) => {
      if (this.pending.has(jobId) && isOutputChunk(data)) options.onOutput?.(jobId, data);
    });
    this.events.on("stalled", ({ jobId }) => {
      if (this.pending.has(jobId)) options.onStalled?.(jobId);
    });
    this.queue.on("error", () => this.markDown());
    this.events.on("error", () => this.markDown());
    this.timer = setInterval(() => void this.check(), options.checkIntervalMs ?? 5000);
    this.timer.unref();
  }

  /** Resolves once both connections are up; rejects with ClusterUnavailableError when Redis stays away. */
  async ready(): Promise<void> {
    const limit = this.options.redisDownLimitMs ?? 60_000;
    let timeout: NodeJS.Timeout | undefined;
    const gaveUp = new Promise<never>((_, reject) => {
      timeout = setTimeout(() => reject(new ClusterUnavailableError(`${this.where()} did not answer within ${Math.round(limit / 1000)} s. Start Redis (and the workers), then run again.`)), limit);
    });
    try {
      await Promise.race([Promise.all([this.queue.waitUntilReady(), this.events.waitUntilReady()]), gaveUp]);
    } finally {
      clearTimeout(timeout);
    }
  }

  /** Adds the job `jobId` and resolves with its worker's return value. */
  submit(jobId: string, data: ClusterJobData): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const pending: Pending = { data, added: false, addAnswered: Promise.resolve(), resolve, reject };
      this.pending.set(jobId, pending);
      pending.addAnswered = this.queue
        .add(data.pathspec, data, {
          jobId,
          attempts: 1,
          // Kept a while for dashboards and for the state check; then Redis forgets them.
          removeOnComplete: { age: 3600, count: 10_000 },
          removeOnFail: { age: 24 * 3600 },
        })
        .then(() => (pending.added = true))
        .catch((error: Error) => this.settle(jobId, { unavailable: `could not add the task's job: ${this.clean(error.message)}` }));
    });
  }

  /**
   * Takes the job `jobId` back out of the queue if no worker has taken it yet: it is removed from
   * Redis and its `submit` rejects with {@link ClusterJobWithdrawnError}. A job a worker already runs
   * is left to finish (its `submit` settles as usual). Resolves with whether the job was withdrawn.
   */
  async withdraw(jobId: string): Promise<boolean> {
    const pending = this.pending.get(jobId);
    if (!pending) return false;
    await pending.addAnswered;
    if (!pending.added) return false;
    // Only a job still queued: a completed one must settle with its result. A worker taking it between
    // the two calls holds its lock, and `remove` answers 0 (it cannot have finished in that moment).
    const state = await this.queue.getJobState(jobId).catch(() => "unknown");
    if (!QUEUED_STATES.has(state)) return false;
    const removed = (await this.queue.remove(jobId).catch(() => 0)) === 1;
    if (removed) this.settle(jobId, { withdrawn: true });
    return removed;
  }

  /**
   * The run was interrupted: a job still queued is withdrawn ({@link withdraw}); one a worker is
   * running is cancelled, and its worker ends the child process running it, so its `submit` soon
   * rejects with the job's failure.
   */
  async interrupt(jobId: string): Promise<void> {
    if (!this.pending.has(jobId) || (await this.withdraw(jobId)) || !this.pending.has(jobId)) return;
    this.cancels ??= new QueueEventsProducer(this.options.queue, { connection: { url: this.options.redisUrl, maxRetriesPerRequest: null } });
    await this.cancels.publishEvent({ eventName: CANCEL_EVENT, jobId }).catch(() => undefined); // Redis away: the job runs on
  }

  /** How many workers are connected to the queue now (undefined when Redis cannot say). */
  async workerCount(): Promise<number | undefined> {
    return this.queue.getWorkersCount().catch(() => undefined);
  }

  /** Jobs submitted and not settled yet. */
  get pendingCount(): number {
    return this.pending.size;
  }

  /** Stops listening and disconnects (pending jobs stay in the queue). */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    // A graceful close waits for Redis; when it is away, drop the connections instead.
    const connections = [this.events, this.queue, ...(this.cancels ? [this.cancels] : [])];
    const closing = Promise.allSettled(connections.map((connection) => connection.close()));
    const closed = await Promise.race([closing.then(() => true), sleep(2000).then(() => false)]);
    if (!closed) await Promise.allSettled(connections.map((connection) => connection.disconnect()));
  }

  private settle(jobId: string, outcome: { value: unknown } | { failure: string } | { unavailable: string } | { withdrawn: true }): void {
    const pending = this.pending.get(jobId);
    if (!pending) return;
    this.pending.delete(jobId);
    if ("value" in outcome) pending.resolve(outcome.value);
    else if ("withdrawn" in outcome) pending.reject(new ClusterJobWithdrawnError(`Task ${pending.data.pathspec}: its job was removed from the queue before a worker took it.`));
    else if ("failure" in outcome) pending.reject(new ClusterJobFailedError(this.failureMessage(pending.data.pathspec, outcome.failure)));
    else {
      pending.reject(
        new ClusterUnavailableError(
          `Task ${pending.data.pathspec}: ${outcome.unavailable}. Tasks that finished are saved; when Redis and the workers ` +
            `are back, continue with resume.`,
        ),
      );
    }
  }

  private markDown(): void {
    this.downSince ??= Date.now();
  }

  /** The safety nets: settle from stored job states, and give up on Redis after the limit. */
  private async check(): Promise<void> {
    if (this.closed || this.checking || this.pending.size === 0) return;
    this.checking = true;
    try {
      await this.checkPending();
    } finally {
      this.checking = false;
    }
  }

  private async checkPending(): Promise<void> {
    try {
      // While Redis is away commands wait for it; a reply within 2 s means it is there.
      await Promise.race([this.queue.count(), sleep(2000).then(() => Promise.reject(new Error("no reply")))]);
    } catch {
      this.markDown();
      const limit = this.options.redisDownLimitMs ?? 60_000;
      if (Date.now() - this.downSince! > limit) {
        for (const jobId of [...this.pending.keys()]) {
          this.settle(jobId, { unavailable: `${this.where()} has been unreachable for over ${Math.round(limit / 1000)} s` });
        }
      }
      return;
    }
    this.downSince = undefined;
    for (const [jobId, pending] of [...this.pending]) {
      if (!pending.added) continue;
      const job = await this.queue.getJob(jobId).catch(() => null);
      if (job === null || job === undefined) {
        this.settle(jobId, { unavailable: `${this.where()} no longer holds the task's job (was it restarted without persistence?)` });
        continue;
      }
      const state = await job.getState().catch(() => "unknown");
      if (state === "completed") this.settle(jobId, { value: job.returnvalue });
      else if (state === "failed") this.settle(jobId, { failure: job.failedReason });
    }
  }

  private failureMessage(pathspec: string, reason: string): string {
    if (/stalled more than allowable limit/i.test(reason)) {
      return (
        `The workers that took task ${pathspec} died while running it, again and again (BullMQ gave up on the ` +
        `stalled job). Look at the workers' logs and machines (out of memory? killed?), then continue with resume.`
      );
    }
    return this.clean(reason);
  }

  private where(): string {
    return `Redis at ${maskRedisUrl(this.options.redisUrl)}`;
  }

  private clean(text: string): string {
    return redactRedisSecrets(text, this.options.redisUrl);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/** Whether a job's progress update is printed output (the first one names the child's pid instead). */
function isOutputChunk(data: unknown): data is OutputChunk {
  return typeof data === "object" && data !== null && typeof (data as OutputChunk).stdout === "string";
}
