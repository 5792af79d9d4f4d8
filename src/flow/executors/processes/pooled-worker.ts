/**
 * One worker process of the pool (child_process.fork of worker-main.js): starting it, running one
 * attempt on it, ending it. An idle worker does not keep its parent alive (its process, IPC channel and
 * stderr pipe are unref'd); a busy one does, so a script never exits mid-attempt.
 */
import { fork, type ChildProcess } from "node:child_process";
import type { Socket } from "node:net";
import type { AttemptEvent, PlainError, TaskRequest, TaskResult } from "../task-request.js";
import type { LoadedFile } from "./loaded-files.js";
import type { FromWorker, ToWorker } from "./worker-protocol.js";
import { MEMORY_BOUND_MARK } from "../worker-watch.js";

/** How an attempt handed to the pool ended. */
export type PoolOutcome =
  | { kind: "result"; result: TaskResult }
  /** The worker could not run it at all (e.g. the flow's module failed to import). */
  | { kind: "not-run"; error: PlainError }
  /**
   * The worker was lost mid-attempt; `cause` completes "its worker process (pid N) ...". `interrupted`:
   * ended because the run's signal aborted, or killed by SIGINT (Jupyter interrupts a kernel's whole process group).
   */
  | { kind: "lost"; cause: string; pid: number | undefined; timedOut: boolean; interrupted: boolean; output: { stdout: string; stderr: string } }
  /** Not started: the run was interrupted, or had failed, while it waited for free slots. */
  | { kind: "withdrawn"; interrupted: boolean };

/** How to run one attempt on the pool. */
export interface RunOptions {
  onEvent(event: AttemptEvent): void;
  /** End the worker when the attempt runs longer than this (the step's time limit plus a grace). */
  deadlineMs: number | undefined;
  /** A finished attempt that failed after at least this long leaves its worker ended, not reused (an abandoned body may still run there). */
  recycleAfterFailureMs: number | undefined;
  signal: AbortSignal | undefined;
  /** Aborts when the run failed: an attempt still waiting for slots is not started. */
  runFailed?: AbortSignal | undefined;
}

const OUT_OF_MEMORY = /heap out of memory|Reached heap limit|Allocation failed/i;

export class PooledWorker {
  readonly child: ChildProcess;
  /** Running an attempt, or just done with one that the pool has not yet decided to keep it after. */
  busy = false;
  /** Its code changed on disk since it loaded it: ended once its current attempt is done. */
  stale = false;
  /** When it last finished an attempt (or started), to end the least recently used first. */
  lastUsed = Date.now();
  /** The flow modules it imported (or was asked to preload). */
  readonly flows = new Set<string>();
  /** The local files it loaded, with their content hash then. */
  readonly files = new Map<string, string>();
  private readonly ready: Promise<void>;
  /** The error no code caught that it reported just before ending (see worker-main.ts). */
  private crash: PlainError | undefined;
  /** The end of its stderr, to tell why it died (e.g. V8's out-of-memory report). */
  private stderrTail = "";
  private nextId = 1;
  /** The id of the attempt it runs now (0: none). */
  private currentId = 0;

  constructor(
    script: string,
    readonly memoryMiB: number | undefined,
  ) {
    this.child = fork(script, [], {
      execArgv: memoryMiB === undefined ? [] : [`--max-old-space-size=${memoryMiB}`],
      stdio: ["ignore", "ignore", "pipe", "ipc"],
      serialization: "advanced",
    });
    this.ready = new Promise((resolve, reject) => {
      this.child.on("message", (message: FromWorker) => {
        if (message.type === "ready") resolve();
        if (message.type === "loaded") this.noteLoaded(message.file);
        if (message.type === "crash") this.noteCrash(message.error);
        // Printed by a timer or promise of an attempt already done: shown here, as in-process (not stored: its task is saved).
        if (message.type === "event" && message.id !== this.currentId) process[message.event.stream].write(message.event.text);
      });
      this.child.once("exit", () => reject(new Error("the worker process exited while starting")));
    });
    this.ready.catch(() => undefined);
    this.child.stderr!.setEncoding("utf8").on("data", (text: string) => {
      this.stderrTail = (this.stderrTail + text).slice(-4000);
    });
    this.hold(false);
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Imports the flow's module now, so its first task does not wait for it. */
  preload(flow: TaskRequest["flow"]): void {
    if (this.flows.has(flow.module)) return;
    this.flows.add(flow.module);
    this.child.send({ type: "preload", flow } satisfies ToWorker);
  }

  /** Kills the process and resolves once it is gone (this process waits for that before exiting). */
  end(): Promise<void> {
    if (!this.alive) return Promise.resolve();
    this.child.ref();
    return new Promise((resolve) => {
      this.child.once("exit", () => resolve());
      this.child.kill("SIGKILL");
    });
  }

  /**
   * Runs one attempt; the worker keeps its parent alive meanwhile. It stays `busy` afterwards: the pool
   * either ends it or calls `release()`, so no other attempt is handed a worker about to be ended.
   */
  async attempt(request: TaskRequest, options: RunOptions): Promise<PoolOutcome> {
    this.busy = true;
    this.flows.add(request.flow.module);
    this.hold(true);
    try {
      return await this.exchange(request, options);
    } finally {
      this.lastUsed = Date.now();
      if (this.alive) this.hold(false);
    }
  }

  /** Makes it idle again, ready for another attempt. */
  release(): void {
    this.busy = false;
  }

  /** Whether the process (and its IPC channel and stderr pipe) keep the parent's event loop alive. */
  private hold(on: boolean): void {
    const handles: Array<{ ref(): unknown; unref(): unknown } | null | undefined> = [this.child, this.child.channel, this.child.stderr as Socket | null];
    for (const handle of handles) {
      if (on) handle?.ref();
      else handle?.unref();
    }
  }

  private noteLoaded(file: LoadedFile): void {
    if (!this.files.has(file.file)) this.files.set(file.file, file.hash);
  }

  private noteCrash(error: PlainError): void {
    this.crash = error;
    if (this.busy) return; // the attempt it runs fails with it
    process.stderr.write(
      `wbflow: worker process ${String(this.child.pid)} of the processes pool ended between tasks on an error no code caught: ` +
        `${error.name}: ${error.message}. A step left a promise or timer running that failed after the step returned: await it ` +
        `(or add .catch()) in the step. The pool replaces the worker.\n`,
    );
  }

  private exchange(request: TaskRequest, options: RunOptions): Promise<PoolOutcome> {
    const { child } = this;
    const id = this.nextId++;
    this.currentId = id;
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
        this.currentId = 0;
        clearTimeout(timer);
        options.signal?.removeEventListener("abort", onAbort);
        child.off("message", onMessage);
        child.off("close", onExit);
        resolve(outcome);
      };
      const onMessage = (message: FromWorker) => {
        if (message.type === "ready" || message.type === "loaded" || message.type === "crash" || message.id !== id) return;
        if (message.type === "event") {
          output[message.event.stream] += message.event.text;
          options.onEvent(message.event);
        } else if (message.type === "result") done({ kind: "result", result: message.result });
        else done({ kind: "not-run", error: message.error });
      };
      // "close" comes once stderr is drained: it may hold the worker's last words (e.g. V8's out-of-memory report).
      const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
        if (this.crash?.stack) output.stderr += `${this.crash.stack}\n`; // stored with the attempt's logs
        done({
          kind: "lost",
          cause: this.describeExit(code, signal, reason),
          pid: child.pid,
          timedOut: reason === "timed out",
          interrupted: reason === "interrupted" || signal === "SIGINT",
          output,
        });
      };
      child.on("message", onMessage);
      child.once("close", onExit);
      if (options.signal?.aborted) return stop("interrupted");
      this.ready.then(
        () => child.send({ type: "run", id, request, cwd: process.cwd() } satisfies ToWorker),
        () => undefined, // the exit handler reports it
      );
    });
  }

  private describeExit(code: number | null, signal: NodeJS.Signals | null, reason: string | undefined): string {
    if (reason === "timed out") return "was ended because the step ran past its time limit";
    if (reason === "interrupted") return "was ended because the run was interrupted";
    if (this.crash) {
      return (
        `ended on an error no code caught: ${this.crash.name}: ${this.crash.message}. A promise rejected with no handler, or a ` +
        `callback threw (in this step, or in a promise or timer an earlier task on this worker left running): await such ` +
        `promises (or add .catch()) in the step`
      );
    }
    if (this.stderrTail.includes(MEMORY_BOUND_MARK)) {
      const grown = /grew by (\d+) MiB/.exec(this.stderrTail)?.[1];
      return (
        `ran out of memory (it grew by ${String(grown)} MiB, over the ${String(this.memoryMiB)} MiB @resources({ memory }) allows; ` +
        `memory outside the JavaScript heap, such as typed arrays and Buffers, counts too)`
      );
    }
    if (OUT_OF_MEMORY.test(this.stderrTail)) {
      const bound = this.memoryMiB === undefined ? "" : ` (its heap is limited to ${this.memoryMiB} MiB by @resources({ memory }))`;
      return `ran out of memory${bound}`;
    }
    if (signal) return `was killed by ${signal}`;
    return `exited with code ${String(code)} (process.exit() in the step, or a crash)`;
  }
}
