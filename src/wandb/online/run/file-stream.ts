/**
 * The file_stream channel of one run (reference §3): history, summary, events and console lines
 * sent as line-addressed chunks to `POST {base}/files/{entity}/{project}/{run}/file_stream`,
 * at most one request in flight, split below the server's request size limit, heartbeats while
 * idle, and `complete` + `exitcode` last. Offsets make every request idempotent, so a request
 * retried after a lost response never duplicates a line.
 */
import type { WandbHttpClient } from "../http/http-client.js";
import { FILE_STREAM_RETRY_POLICY, type RetryPolicy } from "../http/retry-policy.js";

/** The file_stream files W&B knows: history rows, the summary line, system metrics, console. */
export const HISTORY_FILE = "wandb-history.jsonl";
export const SUMMARY_STREAM_FILE = "wandb-summary.json";
export const EVENTS_FILE = "wandb-events.jsonl";
export const OUTPUT_STREAM_FILE = "output.log";

/**
 * The longest line (history row, summary, system-metrics row) W&B's back end takes, in bytes:
 * wandb-core's `defaultMaxFileLineBytes`. W&B's own client skips a longer line with a warning and
 * uploads the rest of the run; so does this one (`FileStreamOptions.onLineDropped`).
 */
export const MAX_LINE_BYTES = (10 << 20) - (100 << 10);

/** The files whose over-long lines are skipped (W&B skips these three; console lines are short). */
const LIMITED_FILES = new Set([HISTORY_FILE, SUMMARY_STREAM_FILE, EVENTS_FILE]);

/** Calls `tick` every `ms` until the returned function is called. */
export type IntervalScheduler = (ms: number, tick: () => void) => () => void;

/** Real intervals that do not keep the process alive. */
export const realIntervals: IntervalScheduler = (ms, tick) => {
  const handle = setInterval(tick, ms);
  handle.unref();
  return () => clearInterval(handle);
};

/** Options of a file stream. */
export interface FileStreamOptions {
  /** Send pending lines this often (default 15 s; W&B's rate). */
  intervalMs?: number;
  /** Send an empty heartbeat when nothing was sent for this long (default 30 s). */
  heartbeatMs?: number;
  /** Upper bound of one request body (default 10 MiB − 100 KiB). */
  maxRequestBytes?: number;
  scheduler?: IntervalScheduler;
  policy?: RetryPolicy;
  /** Called once if a background send fails for good. */
  onFailure?: (error: unknown) => void;
  /** Longest line sent in the limited files (default `MAX_LINE_BYTES`). */
  maxLineBytes?: number;
  /** Told about each line skipped for being longer than `maxLineBytes`. */
  onLineDropped?: (file: string, bytes: number, limit: number) => void;
}

/** Where a run's stream goes: the resolved entity and project and the run id. */
export interface StreamTarget {
  entity: string;
  project: string;
  runId: string;
}

/** The file_stream of one run. */
export class FileStream {
  private readonly pending = new Map<string, PendingLines>();
  private readonly nextOffset = new Map<string, number>();
  private readonly uploaded = new Set<string>();
  /** Lines rendered only when a request is built (see `setLineLater`), by file and offset. */
  private readonly renderLater = new Map<string, Map<number, () => string>>();
  private preemptingPending = false;
  private chain: Promise<void> = Promise.resolve();
  private lastSendMs = 0;
  private stopTimer: (() => void) | undefined;
  private failure: unknown;
  private sizeFlush: Promise<void> | undefined;
  /** Requests sent (for tests and benchmarks). */
  requestCount = 0;

  constructor(
    private readonly http: WandbHttpClient,
    private readonly target: StreamTarget,
    private readonly options: FileStreamOptions = {},
    private readonly now: () => number = Date.now,
  ) {}

  /** Continues `file` after `offset` lines (e.g. history of a resumed run). */
  startAt(file: string, offset: number): void {
    this.nextOffset.set(file, offset);
  }

  /** Starts the periodic sender (live runs). Sync does not start it and flushes explicitly. */
  start(): void {
    const interval = this.options.intervalMs ?? 15_000;
    const heartbeat = this.options.heartbeatMs ?? 30_000;
    this.lastSendMs = this.now();
    this.stopTimer = (this.options.scheduler ?? realIntervals)(interval, () => {
      const idle = this.now() - this.lastSendMs >= heartbeat;
      if (this.hasPending() || idle) void this.flush().catch(() => undefined);
    });
  }

  /**
   * Appends lines at the end of `file` (history, events). Returns a promise when a full request's
   * worth is waiting and is being sent now: callers that await it never buffer more than that.
   */
  append(file: string, lines: string[]): Promise<void> | undefined {
    let offset = this.nextOffset.get(file) ?? 0;
    const pending = this.pendingOf(file);
    // A skipped line takes no offset, so the server's file has no gap (as in W&B's client).
    for (const line of lines) if (!this.tooLong(file, line)) pending.set(offset++, line);
    this.nextOffset.set(file, offset);
    return this.sendIfFull();
  }

  /** Sets the line at `offset` of `file` (console updates; the summary's single line). See `append`. */
  setLine(file: string, offset: number, line: string): Promise<void> | undefined {
    if (this.tooLong(file, line)) {
      // Not sent; nor is an older pending value of this line (W&B drops the unsent summary too).
      this.pendingOf(file).delete(offset);
      return undefined;
    }
    this.pendingOf(file).set(offset, line);
    this.nextOffset.set(file, Math.max(offset + 1, this.nextOffset.get(file) ?? 0));
    return this.sendIfFull();
  }

  /**
   * Sets the line at `offset` of `file` to what `render` returns when the next request is built:
   * a line rewritten on every record (the whole summary, after each history row) is serialized once
   * per request, not once per record. A later call for the same line replaces `render`.
   */
  setLineLater(file: string, offset: number, render: () => string): void {
    let lines = this.renderLater.get(file);
    if (!lines) this.renderLater.set(file, (lines = new Map()));
    lines.set(offset, render);
  }

  /** Renders the lines set with `setLineLater` into pending lines. */
  private renderPending(): void {
    for (const [file, lines] of this.renderLater) {
      for (const [offset, render] of lines) this.setLine(file, offset, render());
      lines.clear();
    }
  }

  /** True (and reported) when `line` is over the back end's line limit for `file`. */
  private tooLong(file: string, line: string): boolean {
    const limit = this.options.maxLineBytes ?? MAX_LINE_BYTES;
    if (line.length * 3 <= limit || !LIMITED_FILES.has(file)) return false; // cheap: UTF-8 takes ≤ 3 bytes per UTF-16 unit
    const bytes = Buffer.byteLength(line);
    if (bytes <= limit) return false;
    this.options.onLineDropped?.(file, bytes, limit);
    return true;
  }

  /** Sends at once when the pending lines fill a request (W&B's "send ASAP" on the size limit). */
  private sendIfFull(): Promise<void> | undefined {
    let bytes = 0;
    for (const lines of this.pending.values()) bytes += lines.bytes;
    if (bytes < this.maxRequestBytes() || this.sizeFlush) return undefined;
    this.sizeFlush = this.enqueue(() => this.sendOne({})).finally(() => (this.sizeFlush = undefined));
    return this.sizeFlush;
  }

  private maxRequestBytes(): number {
    return this.options.maxRequestBytes ?? (10 << 20) - 100 * 1024;
  }

  /** Tells the server a run file was uploaded (sent with the next request). */
  markUploaded(path: string): void {
    this.uploaded.add(path);
  }

  preempting(): void {
    this.preemptingPending = true;
  }

  /** Sends everything pending (an empty heartbeat if nothing is); resolves when the server has it. */
  flush(): Promise<void> {
    return this.enqueue(async () => {
      do await this.sendOne({});
      while (this.hasPending());
    });
  }

  /** Flushes, then sends `complete` with the exit code, and stops the timer. */
  finish(exitcode: number): Promise<void> {
    this.stopTimer?.();
    return this.enqueue(async () => {
      while (this.hasPending()) await this.sendOne({});
      await this.sendOne({ complete: true, exitcode });
    });
  }

  /** Stops the timer without completing the run (the run is left to be synced). */
  stop(): void {
    this.stopTimer?.();
  }

  private enqueue(job: () => Promise<void>): Promise<void> {
    const run = this.chain.then(() => {
      if (this.failure !== undefined) throw this.failure;
      return job();
    });
    this.chain = run.catch((error: unknown) => {
      if (this.failure === undefined) {
        this.failure = error;
        this.stopTimer?.();
        this.options.onFailure?.(error);
      }
    });
    return run;
  }

  private hasPending(): boolean {
    for (const lines of this.pending.values()) if (lines.size > 0) return true;
    for (const lines of this.renderLater.values()) if (lines.size > 0) return true;
    return this.uploaded.size > 0 || this.preemptingPending;
  }

  private pendingOf(file: string): PendingLines {
    let lines = this.pending.get(file);
    if (!lines) this.pending.set(file, (lines = new PendingLines()));
    return lines;
  }

  /** Sends one request holding, per file, the longest run of consecutive lines that fits. */
  private async sendOne(control: { complete?: boolean; exitcode?: number }): Promise<void> {
    this.renderPending();
    const budget = this.maxRequestBytes();
    let size = 200;
    const files: Record<string, { offset: number; content: string[] }> = {};
    const taken: Array<[string, number[]]> = [];
    for (const [file, lines] of this.pending) {
      if (lines.size === 0) continue;
      const offsets = lines.offsets();
      const first = offsets[0]!;
      const content: string[] = [];
      const used: number[] = [];
      for (const offset of offsets) {
        if (offset !== first + content.length) break;
        const line = lines.get(offset)!;
        const cost = Buffer.byteLength(line) + 8;
        if (content.length > 0 && size + cost > budget) break;
        size += cost;
        content.push(line);
        used.push(offset);
      }
      files[file] = { offset: first, content };
      taken.push([file, used]);
    }
    const body: Record<string, unknown> = {};
    if (Object.keys(files).length > 0) body["files"] = files;
    const uploaded = [...this.uploaded];
    if (uploaded.length > 0) body["uploaded"] = uploaded;
    const preempting = this.preemptingPending;
    if (preempting) body["preempting"] = true;
    if (control.complete) Object.assign(body, control);
    const { entity, project, runId } = this.target;
    await this.http.send(
      {
        method: "POST",
        url: `/files/${encodeURIComponent(entity)}/${encodeURIComponent(project)}/${encodeURIComponent(runId)}/file_stream`,
        headers: { "content-type": "application/json" },
        body: Buffer.from(JSON.stringify(body)),
        what: `file_stream of run ${entity}/${project}/${runId}`,
      },
      this.options.policy ?? FILE_STREAM_RETRY_POLICY,
    );
    this.requestCount += 1;
    this.lastSendMs = this.now();
    // Remove only what was sent: a line changed meanwhile (same offset, new text) stays pending.
    for (const [file, used] of taken) {
      const lines = this.pending.get(file)!;
      for (const offset of used) if (lines.get(offset) === files[file]!.content[offset - files[file]!.offset]) lines.delete(offset);
    }
    for (const path of uploaded) this.uploaded.delete(path);
    if (preempting) this.preemptingPending = false;
  }
}

/**
 * Lines waiting to be sent, by offset. Appends arrive in offset order, so the offsets are sorted
 * only when a line was set out of order (a console line rewritten after later ones).
 */
class PendingLines {
  private readonly lines = new Map<number, string>();
  private inOrder = true;
  private last = -1;
  /** Approximate request bytes of the pending lines (UTF-16 length plus JSON overhead). */
  bytes = 0;

  get size(): number {
    return this.lines.size;
  }

  set(offset: number, line: string): void {
    const previous = this.lines.get(offset);
    if (previous === undefined) {
      if (offset < this.last) this.inOrder = false;
      this.last = Math.max(this.last, offset);
    } else {
      this.bytes -= previous.length + 8;
    }
    this.lines.set(offset, line);
    this.bytes += line.length + 8;
  }

  get(offset: number): string | undefined {
    return this.lines.get(offset);
  }

  delete(offset: number): void {
    const line = this.lines.get(offset);
    if (line !== undefined) this.bytes -= line.length + 8;
    this.lines.delete(offset);
    if (this.lines.size === 0) {
      this.inOrder = true;
      this.last = -1;
    }
  }

  /** Pending offsets, ascending. */
  offsets(): number[] {
    const keys = [...this.lines.keys()];
    return this.inOrder ? keys : keys.sort((a, b) => a - b);
  }
}
