/**
 * The pool of worker processes of the `processes` executor. One pool serves every run of this process
 * (a notebook kernel, a script, `wbflow run`; see shared-pool.ts), so a second run starts on warm workers
 * that already imported wbflow and the flow's module. The rules:
 *
 * - Sizing: a run leases the pool with its `maxWorkers` CPU slots; an attempt takes `cpu` of its run's
 *   slots and one worker. The pool keeps at most as many workers as the open runs' slots add up to,
 *   ending idle workers (least recently used first) to make room, and starts a run's workers when it opens.
 * - Heap bounds: a worker started with a heap bound (`@resources({ memory })`) serves only attempts asking
 *   for the same bound, from any run.
 * - Code: when a run opens, workers whose loaded files (the flow's module and the local files it imports)
 *   changed on disk are ended (idle ones at once, busy ones after their attempt); fresh workers import
 *   the new code.
 * - Recycling: a worker that died, or whose attempt failed after its time limit (an abandoned body may
 *   still run there), is ended and replaced.
 * - Idle: once no run is open, the workers wait `idleMs` for the next run, then are ended. An idle worker
 *   never keeps this process alive, and a worker exits by itself when this process goes away.
 */
import type { TaskRequest } from "../task-request.js";
import { currentHashes } from "./loaded-files.js";
import { PooledWorker, type PoolOutcome, type RunOptions } from "./pooled-worker.js";
import { RunSlots } from "./run-slots.js";

export type { PoolOutcome, RunOptions } from "./pooled-worker.js";

/** What one attempt needs from the pool. */
export interface AttemptNeeds {
  cpu: number;
  memoryMiB: number | undefined;
}

/** One run's use of the pool. */
export interface PoolLease {
  /** Runs one attempt on a worker once enough of the run's slots are free. */
  run(request: TaskRequest, needs: AttemptNeeds, options: RunOptions): Promise<PoolOutcome>;
  /** Ends the run's use of the pool; resolves once the workers are gone when the pool then closes (idleMs 0). */
  close(): Promise<void>;
}

export class WorkerPool {
  private readonly workers = new Set<PooledWorker>();
  private readonly leases = new Set<RunSlots>();
  private idleTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly script: string,
    /** How long workers wait for the next run once no run is open (0: ended when the last run closes). */
    readonly idleMs: number,
  ) {}

  /** The worker processes' ids (live ones). */
  get pids(): number[] {
    return [...this.workers].flatMap((w) => (w.alive && w.child.pid !== undefined ? [w.child.pid] : []));
  }

  /** Opens a run's use of the pool: ends workers with changed code, then starts (or preloads) workers for `flow`. */
  async lease(size: number, flow: TaskRequest["flow"]): Promise<PoolLease> {
    const slots = new RunSlots(size);
    this.leases.add(slots);
    clearTimeout(this.idleTimer);
    await this.endStale();
    this.trim(flow.module);
    this.warm(size, flow);
    return { run: (request, needs, options) => this.run(slots, request, needs, options), close: () => this.release(slots) };
  }

  /** Ends every worker and waits until they are gone. */
  async close(): Promise<void> {
    clearTimeout(this.idleTimer);
    await Promise.all([...this.workers].map((w) => this.end(w)));
  }

  /** Ends idle workers now and busy ones once their attempt is done. */
  async retire(): Promise<void> {
    clearTimeout(this.idleTimer);
    const ends: Array<Promise<void>> = [];
    for (const worker of this.workers) {
      worker.stale = true;
      if (!worker.busy) ends.push(this.end(worker));
    }
    await Promise.all(ends);
  }

  /** Kills every worker at once, without waiting (for process exit). */
  killNow(): void {
    for (const worker of this.workers) if (worker.alive) worker.child.kill("SIGKILL");
  }

  private get cap(): number {
    let cap = 0;
    for (const lease of this.leases) cap += lease.size;
    return cap;
  }

  private idle(): PooledWorker[] {
    return [...this.workers].filter((w) => !w.busy && !w.stale && w.alive);
  }

  private async run(slots: RunSlots, request: TaskRequest, needs: AttemptNeeds, options: RunOptions): Promise<PoolOutcome> {
    const waits = slots.wouldWait(needs.cpu);
    const taken = await slots.take(needs.cpu);
    // Slots come free as an attempt ends, before its result reaches the scheduler: let it (a failure stops the run).
    if (waits) await new Promise((resolve) => setImmediate(resolve));
    try {
      // As in-process, no task starts after an interrupt or a failure: one that waited for slots is not run.
      if (options.signal?.aborted || options.runFailed?.aborted) return { kind: "withdrawn", interrupted: options.signal?.aborted === true };
      const worker = this.idleWorker(needs.memoryMiB, request.flow.module);
      const started = Date.now();
      const outcome = await worker.attempt(request, options);
      const failedLate =
        outcome.kind === "result" && outcome.result.status !== "ok" && options.recycleAfterFailureMs !== undefined &&
        Date.now() - started >= options.recycleAfterFailureMs;
      if (outcome.kind !== "result" || failedLate || worker.stale) await this.end(worker);
      else worker.release();
      return outcome;
    } finally {
      slots.give(taken);
    }
  }

  /** An idle worker with the right heap bound (one that already imported the module first); else a new one, ending an idle one when the pool is full. */
  private idleWorker(memoryMiB: number | undefined, module: string): PooledWorker {
    const idle = this.idle();
    const matching = idle.filter((w) => w.memoryMiB === memoryMiB);
    const match = matching.find((w) => w.flows.has(module)) ?? matching[0];
    if (match) return match;
    const victim = leastRecentlyUsed(idle);
    if (this.workers.size >= this.cap && victim) void this.end(victim);
    return this.spawn(memoryMiB);
  }

  /** Ends idle workers beyond the open runs' slots, those that did not import `module` first. */
  private trim(module: string): void {
    while (this.workers.size > this.cap) {
      const idle = this.idle();
      const victim = leastRecentlyUsed(idle.filter((w) => !w.flows.has(module))) ?? leastRecentlyUsed(idle);
      if (!victim) return;
      void this.end(victim);
    }
  }

  /** Has `size` idle workers (without a heap bound) import `flow`'s module, starting new ones within the pool's size. */
  private warm(size: number, flow: TaskRequest["flow"]): void {
    const ready = this.idle().filter((w) => w.memoryMiB === undefined);
    for (const worker of ready) worker.preload(flow);
    for (let count = ready.length; count < size && this.workers.size < this.cap; count++) this.spawn(undefined).preload(flow);
  }

  /** Ends workers whose loaded files changed on disk (busy ones once their attempt is done). */
  private async endStale(): Promise<void> {
    const hashes = await currentHashes([...this.workers].flatMap((w) => [...w.files.keys()]));
    for (const worker of this.workers) {
      worker.stale ||= [...worker.files].some(([file, hash]) => hashes.has(file) && hashes.get(file) !== hash);
      if (worker.stale && !worker.busy) void this.end(worker);
    }
  }

  private async release(slots: RunSlots): Promise<void> {
    this.leases.delete(slots);
    if (this.leases.size > 0) return;
    if (this.idleMs <= 0) return this.close();
    this.idleTimer = setTimeout(() => void this.close(), this.idleMs);
    this.idleTimer.unref();
  }

  private spawn(memoryMiB: number | undefined): PooledWorker {
    const worker = new PooledWorker(this.script, memoryMiB);
    worker.child.once("exit", () => this.workers.delete(worker));
    this.workers.add(worker);
    return worker;
  }

  private end(worker: PooledWorker): Promise<void> {
    this.workers.delete(worker);
    return worker.end();
  }
}

function leastRecentlyUsed(workers: PooledWorker[]): PooledWorker | undefined {
  return workers.reduce<PooledWorker | undefined>((oldest, w) => (oldest === undefined || w.lastUsed < oldest.lastUsed ? w : oldest), undefined);
}
