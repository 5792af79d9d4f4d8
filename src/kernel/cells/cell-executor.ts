/**
 * Executes notebook cells: splits magics from TypeScript, runs TypeScript through tslab's executor
 * (type checking, top-level await, interrupt), runs magics through the registry, and turns the last
 * expression's value into an `execute_result` rendered through the display protocol.
 *
 * It also answers tslab's other requests (completion, inspection, is-complete) with magic lines
 * blanked out, so the TypeScript language service never sees them.
 */
import { format } from "node:util";
import { mimeBundleOf, type MimeBundle } from "../../display/mime-bundle.js";
import { setActiveOutput, settleDeferredOutputs } from "./active-output.js";
import { blankMagicLines, splitCell, type CellSegment } from "./cell-segments.js";
import type { CellOutput } from "./cell-output.js";
import { reportError } from "./error-report.js";
import { CellInterrupt, type CellInterruptedError } from "./cell-interrupt.js";
import type { MagicRegistry } from "../magics/magic-registry.js";
import { tslabConverter, tslabInspect, tslabJupyter, tslabUtil, type Executor } from "./tslab-internals.js";

/** The fields of an `execute_request` the executor uses. */
export interface ExecuteRequest {
  code: string;
  silent?: boolean;
  allow_stdin?: boolean;
  store_history?: boolean;
  /** When false, later queued cells still run after this one fails (nbconvert --allow-errors). */
  stop_on_error?: boolean;
}

/** The content of an `execute_reply`. */
export interface ExecuteReplyContent {
  status: "ok" | "error" | "abort";
  execution_count: number | undefined;
  ename?: string;
  evalue?: string;
  traceback?: string[];
  user_expressions?: Record<string, never>;
  payload?: never[];
}

/**
 * The console tslab's executor reports to: `log` receives the last expression's value, `error`
 * receives runtime exceptions and type-check diagnostics. Routed to the cell being executed.
 */
export class ExecutorConsole {
  private sink: { value(value: unknown): void; error(error: unknown): void; stderr(text: string): void } | undefined;

  readonly log = (...args: unknown[]): void => {
    if (this.sink && args.length === 1) this.sink.value(args[0]);
    else process.stdout.write(`${format(...args)}\n`);
  };

  readonly error = (...args: unknown[]): void => {
    if (!this.sink) {
      process.stderr.write(`${format(...args)}\n`);
    } else if (args.length === 1 && typeof args[0] === "object" && args[0] !== null) {
      this.sink.error(args[0]);
    } else {
      this.sink.stderr(`${format(...args)}\n`);
    }
  };

  /** Routes reports to `sink` until the returned function is called. */
  attach(sink: NonNullable<ExecutorConsole["sink"]>): () => void {
    this.sink = sink;
    return () => {
      this.sink = undefined;
    };
  }
}

class CellFailed {
  constructor(readonly count: number, readonly report: ReturnType<typeof reportError> | undefined) {}
}

/** Runs cells one at a time, in arrival order. */
export class CellExecutor {
  private executionCount = 0;
  private readonly queue = new tslabUtil.TaskQueue();
  /** The execution count of the cell whose TypeScript tslab is running, if any. */
  private codeRunning: number | undefined;
  /** The magic a cell is waiting for, and how to stop waiting (see CellInterrupt). */
  private magicWait: { count: number; stop(error: CellInterruptedError): void } | undefined;
  private readonly interrupter = new CellInterrupt({
    runningCell: () => this.codeRunning ?? this.magicWait?.count,
    interruptCode: () => this.executor.interrupt(),
    stopWaitingForMagic: (error) => this.magicWait?.stop(error),
  });

  constructor(
    private readonly executor: Executor,
    private readonly console: ExecutorConsole,
    private readonly magics: MagicRegistry,
    private readonly env: NodeJS.ProcessEnv = process.env,
    /** Turns a cell's value into its MIME bundle (the kernel adds flow runs and artifacts). */
    private readonly renderValue: (value: unknown) => Promise<MimeBundle> = mimeBundleOf,
  ) {}

  /** Notebook variables (tslab locals). */
  get locals(): Record<string, unknown> {
    return this.executor.locals;
  }

  /** Executes one `execute_request`; outputs go to `output`. */
  async execute(request: ExecuteRequest, output: CellOutput): Promise<ExecuteReplyContent> {
    const stopOnError = request.stop_on_error !== false;
    let failure: unknown;
    try {
      const count = await this.queue.add(async () => {
        try {
          return await this.executeNow(request, output);
        } catch (error) {
          // Rejecting the task makes the queue abort the cells behind it (stop_on_error).
          if (stopOnError) throw error;
          failure = error;
          return undefined;
        }
      });
      if (count !== undefined) return { status: "ok", execution_count: count, user_expressions: {}, payload: [] };
    } catch (error) {
      if (error instanceof tslabUtil.TaskCanceledError) return { status: "abort", execution_count: undefined };
      // Like tslab: cells already queued are aborted, then the queue accepts work again.
      this.queue.reset(200);
      failure = error;
    }
    if (failure instanceof CellFailed) {
      return { status: "error", execution_count: failure.count, ...(failure.report ?? reportFallback()) };
    }
    const report = reportError(failure);
    output.error(report.ename, report.evalue, report.traceback);
    return { status: "error", execution_count: this.executionCount, ...report };
  }

  private async executeNow(request: ExecuteRequest, output: CellOutput): Promise<number> {
    // As in IPython and tslab: stdout/stderr keep pointing at the most recent cell.
    process.stdout.write = streamWriter("stdout", output);
    process.stderr.write = streamWriter("stderr", output);
    setActiveOutput(output);
    tslabJupyter.lastWriteDisplayData = (data, update) => {
      const displayId = data.transient?.display_id;
      output.display(data.data, { ...(displayId === undefined ? {} : { displayId }), update });
    };
    const count = ++this.executionCount;
    let segments: CellSegment[];
    try {
      segments = splitCell(request.code);
    } catch (error) {
      throw this.fail(count, error, output);
    }
    try {
      for (const segment of segments) await this.runSegment(segment, count, output);
    } finally {
      // Output still being produced (a run report) belongs to this cell: wait before replying.
      await settleDeferredOutputs();
    }
    return count;
  }

  private async runSegment(segment: CellSegment, count: number, output: CellOutput): Promise<void> {
    if (segment.kind === "code") {
      await this.runCode("\n".repeat(segment.startLine) + segment.source, count, output);
      return;
    }
    const context = {
      output,
      locals: this.executor.locals,
      env: this.env,
      // A cell magic's body starts on the cell's second line.
      runCode: (source: string) => this.runCode(`\n${source}`, count, output),
    };
    let value: unknown;
    try {
      value = await this.waitForMagic(
        count,
        segment.kind === "line-magic"
          ? this.magics.run("line", segment.name, segment.args, context)
          : this.magics.run("cell", segment.name, segment.args, context, segment.body),
      );
    } catch (error) {
      throw this.fail(count, error, output);
    }
    if (value !== undefined) output.result(await this.renderValue(value), count);
  }

  /** Waits for a running magic, unless an interrupt stops the waiting (the magic goes on unobserved). */
  private waitForMagic<T>(count: number, running: Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const wait = {
        count,
        stop: (error: CellInterruptedError) => {
          if (this.magicWait === wait) this.magicWait = undefined;
          reject(error);
        },
      };
      this.magicWait = wait;
      running.then(resolve, reject).finally(() => {
        if (this.magicWait === wait) this.magicWait = undefined;
      });
    });
  }

  private async runCode(source: string, count: number, output: CellOutput): Promise<void> {
    let hasValue = false;
    let value: unknown;
    let report: ReturnType<typeof reportError> | undefined;
    const detach = this.console.attach({
      value: (v) => {
        hasValue = true;
        value = v;
      },
      error: (error) => {
        report = reportError(error);
        output.error(report.ename, report.evalue, report.traceback);
      },
      stderr: (text) => output.stream("stderr", text),
    });
    let ok: boolean;
    this.codeRunning = count;
    try {
      ok = await this.executor.execute(source);
    } finally {
      this.codeRunning = undefined;
      detach();
    }
    if (!ok) {
      await settleDeferredOutputs();
      throw new CellFailed(count, report);
    }
    if (hasValue) {
      await settleDeferredOutputs();
      output.result(await this.renderValue(value), count);
    }
  }

  private fail(count: number, error: unknown, output: CellOutput): CellFailed {
    const report = reportError(error);
    output.error(report.ename, report.evalue, report.traceback);
    return new CellFailed(count, report);
  }

  /** `is_complete_request`: magic lines are complete by themselves. */
  isComplete(code: string): { status: "complete" | "incomplete"; indent?: string } {
    const result = tslabConverter.isCompleteCode(blankMagicLines(code));
    return result.completed ? { status: "complete" } : { status: "incomplete", indent: result.indent ?? "" };
  }

  /** `inspect_request`: TypeScript quick info at the cursor. */
  inspect(code: string, cursor: number): { status: "ok"; found: boolean; data: Record<string, string>; metadata: Record<string, never> } {
    const info = this.executor.inspect(blankMagicLines(code), cursor);
    if (!info) return { status: "ok", found: false, data: {}, metadata: {} };
    return { status: "ok", found: true, data: { "text/plain": tslabInspect.printQuickInfo(info) }, metadata: {} };
  }

  /** `complete_request`: TypeScript completions at the cursor. */
  complete(code: string, cursor: number): { status: "ok"; matches: string[]; cursor_start: number; cursor_end: number; metadata: Record<string, never> } {
    const info = this.executor.complete(blankMagicLines(code), cursor);
    return { status: "ok", matches: info.candidates, cursor_start: info.start, cursor_end: info.end, metadata: {} };
  }

  /**
   * The kernel's interrupt: stops the flow runs in progress (a cell awaiting one ends with the run's
   * "interrupted" error), then a still-running asynchronous cell (tslab rejects its pending promise).
   */
  interrupt(): void {
    this.interrupter.interrupt();
  }

  /** Releases tslab's converters (file watchers). */
  close(): void {
    this.executor.close();
  }
}

function reportFallback(): ReturnType<typeof reportError> {
  return { ename: "CellError", evalue: "the cell failed; see the messages above", traceback: [] };
}

function streamWriter(name: "stdout" | "stderr", output: CellOutput): typeof process.stdout.write {
  const decoder = new TextDecoder();
  return ((chunk: string | Uint8Array) => {
    output.stream(name, typeof chunk === "string" ? chunk : decoder.decode(chunk));
    return true;
  }) as typeof process.stdout.write;
}
