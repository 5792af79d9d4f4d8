/**
 * A pool of long-lived worker processes (child_process.fork) for the `processes` executor. `size` CPU
 * slots: an attempt takes `cpu` of them (at most all) and one worker; a worker runs many attempts, one
 * at a time, and is replaced when it dies. A worker whose heap must be bounded (`memoryMiB`) is started
 * with that bound and serves only attempts asking for the same bound.
 */
import { fork, type ChildProcess } from "node:child_process";
import type { AttemptEvent, PlainError, TaskRequest, TaskResult } from "../task-request.js";
import type { FromWorker, ToWorker } from "./worker-protocol.js";

/** What one attempt needs from the pool. */
export interface AttemptNeeds {
  cpu: number;
  memoryMiB: number | undefined;
}

/** How an attempt handed to the pool ended. */
export type PoolOutcome =
  | { kind: "result"; result: TaskResult }
  /** The worker could not run it at all (e.g. the flow's module failed to import). */
  | { kind: "not-run"; error: PlainError }
  /**
   * The worker was lost mid-attempt; `cause` completes "its worker process (pid N) ...". `interrupted`:
   * ended because the run's signal aborted, or killed by SIGINT (Jupyter interrupts a kernel's whole process group).
   */
  | { kind: "lost"; cause: string; pid: number | undefined; timedOut: boolean; interrupted: boolean; output: { stdout: string; stderr: string } };

/** How to run one attempt on the pool. */
export interface RunOptions {
  onEvent(event: AttemptEvent): void;
  /** End the worker when the attempt runs longer than this (the step's time limit plus a grace). */
  deadlineMs: number | undefined;
  /** A finished attempt that failed after at least this long leaves its worker ended, not reused (an abandoned body may still run there). */
  recycleAfterFailureMs: number | undefined;
  signal: AbortSignal | undefined;
}

interface PooledWorker {
  child: ChildProcess;
  memoryMiB: number | undefined;
  busy: boolean;
  ready: Promise<void>;
  /** The end of its stderr, to tell why it died (e.g. V8's out-of-memory report). */
  stderrTail: string;
}

const OUT_OF_MEMORY = /heap out of memory|Reached heap limit|Allocation failed/i;

export class WorkerPool {
  private readonly workers = new Set<PooledWorker>();
  private freeSlots: number;
  private readonly waiting: Array<{ slots: number; wake: () => void }> = [];
  private nextId = 1;

  constructor(
    readonly size: number,
    private readonly script: string,
  ) {
    this.freeSlots = size;
  }

  /** Starts all workers now (importing `flow`'s module), so the first tasks do not wait for them. */
  warm(flow: TaskRequest["flow"]): void {
    while (this.workers.size < this.size) this.spawn(undefined).child.send({ type: "preload", flow } satisfies ToWorker);
  }

  /** Runs one attempt on a worker once enough slots are free. */
  async run(request: TaskRequest, needs: AttemptNeeds, options: RunOptions): Promise<PoolOutcome> {
    const slots = Math.max(1, Math.min(needs.cpu, this.size));
    await this.takeSlots(slots);
    try {
      return await this.runOn(this.idleWorker(needs.memoryMiB), request, options);
    } finally {
      this.freeSlots += slots;
      this.wakeWaiting();
    }
  }

  /** Ends every worker and waits until they are gone. */
  async close(): Promise<void> {
    const exits = [...this.workers].map((w) => this.end(w));
    await Promise.all(exits);
  }

  private takeSlots(slots: number): Promise<void> {
    if (this.waiting.length === 0 && this.freeSlots >= slots) {
      this.freeSlots -= slots;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push({ slots, wake: resolve }));
  }

  /** Starts waiting attempts in order while their slots are free. */
  private wakeWaiting(): void {
    while (this.waiting.length > 0 && this.freeSlots >= this.waiting[0]!.slots) {
      const next = this.waiting.shift()!;
      this.freeSlots -= next.slots;
      next.wake();
    }
  }

  /** An idle worker with the right heap bound; another idle one is ended to make room when the pool is full. */
  private idleWorker(memoryMiB: number | undefined): PooledWorker {
    const idle = [...this.workers].filter((w) => !w.busy && w.child.exitCode === null && w.child.signalCode === null);
    const match = idle.find((w) => w.memoryMiB === memoryMiB);
    if (match) return match;
    if (this.workers.size >= this.size && idle[0]) void this.end(idle[0]);
    return this.spawn(memoryMiB);
  }

  private spawn(memoryMiB: number | undefined): PooledWorker {
    const child = fork(this.script, [], {
      execArgv: memoryMiB === undefined ? [] : [`--max-old-space-size=${memoryMiB}`],
      stdio: ["ignore", "ignore", "pipe", "ipc"],
      serialization: "advanced",
    });
    const worker: PooledWorker = { child, memoryMiB, busy: false, stderrTail: "", ready: Promise.resolve() };
    worker.ready = new Promise((resolve, reject) => {
      const onMessage = (message: FromWorker) => {
        if (message.type !== "ready") return;
        child.off("message", onMessage);
        resolve();
      };
      child.on("message", onMessage);
      child.once("exit", () => reject(new Error("the worker process exited while starting")));
    });
    worker.ready.catch(() => undefined);
    child.stderr!.setEncoding("utf8").on("data", (text: string) => {
      worker.stderrTail = (worker.stderrTail + text).slice(-4000);
    });
    child.once("exit", () => this.workers.delete(worker));
    this.workers.add(worker);
    return worker;
  }

  private end(worker: PooledWorker): Promise<void> {
    this.workers.delete(worker);
    const { child } = worker;
    if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      child.once("exit", () => resolve());
      child.kill("SIGKILL");
    });
  }

  private async runOn(worker: PooledWorker, request: TaskRequest, options: RunOptions): Promise<PoolOutcome> {
    worker.busy = true;
    const started = Date.now();
    const outcome = await this.attemptOn(worker, request, options);
    const failedLate =
      outcome.kind === "result" && outcome.result.status !== "ok" && options.recycleAfterFailureMs !== undefined &&
      Date.now() - started >= options.recycleAfterFailureMs;
    if (outcome.kind !== "result" || failedLate) await this.end(worker);
    else worker.busy = false;
    return outcome;
  }

  private attemptOn(worker: PooledWorker, request: TaskRequest, options: RunOptions): Promise<PoolOutcome> {
    const { child } = worker;
    const id = this.nextId++;
    const output = { stdout: "", stderr: "" };
    let reason: "timed out" | "interrupted" | undefined;
    return new Promise<PoolOutcome>((resolve) => {
      const stop = (why: "timed out" | "interrupted") => {
        reason = why;
        child.kill("SIGKILL");
      };
      const timer = options.deadlineMs === undefined ? undefined : setTimeout(() => stop("timed out"), options.deadlineMs);
      const onAbort = () => stop("interrupted");
      options.signal?.addEventListener("abort", onAbort, { once: true });
      const done = (outcome: PoolOutcome) => {
        clearTimeout(timer);
        options.signal?.removeEventListener("abort", onAbort);
        child.off("message", onMessage);
        child.off("close", onExit);
        resolve(outcome);
      };
      const onMessage = (message: FromWorker) => {
        if (message.type === "ready" || message.id !== id) return;
        if (message.type === "event") {
          output[message.event.stream] += message.event.text;
          options.onEvent(message.event);
        } else if (message.type === "result") done({ kind: "result", result: message.result });
        else done({ kind: "not-run", error: message.error });
      };
      // "close" comes once stderr is drained: it may hold the worker's last words (e.g. V8's out-of-memory report).
      const onExit = (code: number | null, signal: NodeJS.Signals | null) =>
        done({
          kind: "lost",
          cause: describeExit(worker, code, signal, reason),
          pid: child.pid,
          timedOut: reason === "timed out",
          interrupted: reason === "interrupted" || signal === "SIGINT",
          output,
        });
      child.on("message", onMessage);
      child.once("close", onExit);
      if (options.signal?.aborted) return stop("interrupted");
      worker.ready.then(
        () => child.send({ type: "run", id, request } satisfies ToWorker),
        () => undefined, // the exit handler reports it
      );
    });
  }
}

function describeExit(worker: PooledWorker, code: number | null, signal: NodeJS.Signals | null, reason: string | undefined): string {
  if (reason === "timed out") return "was ended because the step ran past its time limit";
  if (reason === "interrupted") return "was ended because the run was interrupted";
  if (OUT_OF_MEMORY.test(worker.stderrTail)) {
    const bound = worker.memoryMiB === undefined ? "" : ` (its heap is limited to ${worker.memoryMiB} MiB by @resources({ memory }))`;
    return `ran out of memory${bound}`;
  }
  if (signal) return `was killed by ${signal}`;
  return `exited with code ${String(code)} (process.exit() in the step, or a crash)`;
}
