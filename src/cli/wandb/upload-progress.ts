/**
 * How `wbflow sync` shows artifact uploads: on a terminal one bar redrawn in place (carriage return)
 * with bytes, total and rate; in a pipe or log file a plain line every 10 %, since `\r` redraws
 * would pile up there as one unreadable line.
 */
import { progressText } from "../../display/progress-bar.js";
import { formatBytes } from "../../display/short-value.js";
import type { ArtifactUploadProgress } from "../../wandb/online/artifacts/artifact-uploader.js";

/** Where progress goes: `process.stdout` or anything shaped like it. */
export interface ProgressOutput {
  write(text: string): unknown;
  isTTY?: boolean;
}

/** Options of `uploadProgressReporter`. */
export interface UploadProgressOptions {
  /** Artifacts smaller than this show no progress: they finish before anyone reads it. Default 64 MiB. */
  minBytes?: number;
  /** Milliseconds, for the rate. Default `Date.now`. */
  now?: () => number;
  /** Least time between two redraws of the bar (the last one, at 100 %, is always drawn). Default 100 ms. */
  redrawEveryMs?: number;
}

/** Shows upload progress and prints other lines without breaking an active bar. */
export interface UploadProgressReporter {
  /** The uploader's `onProgress` callback. */
  onProgress(progress: ArtifactUploadProgress): void;
  /** Prints a whole line (e.g. a sync notice); ends an active bar first so they do not mix. */
  line(text: string): void;
  /** Ends an active bar (call when the sync is over). */
  end(): void;
}

/** A reporter writing to `out`, a bar when `out.isTTY`, else 10 % lines. */
export function uploadProgressReporter(out: ProgressOutput, options: UploadProgressOptions = {}): UploadProgressReporter {
  const minBytes = options.minBytes ?? 64 * 1024 ** 2;
  const now = options.now ?? Date.now;
  return out.isTTY === true
    ? new TerminalBar(out, minBytes, now, options.redrawEveryMs ?? 100)
    : new TenPercentLines(out, minBytes);
}

class TenPercentLines implements UploadProgressReporter {
  private readonly shown = new Map<string, number>();

  constructor(
    private readonly out: ProgressOutput,
    private readonly minBytes: number,
  ) {}

  onProgress({ name, uploadedBytes, totalBytes }: ArtifactUploadProgress): void {
    if (totalBytes < this.minBytes || totalBytes <= 0) return;
    const step = Math.floor((uploadedBytes / totalBytes) * 10);
    if (step <= (this.shown.get(name) ?? -1)) return;
    this.shown.set(name, step);
    const mib = (bytes: number) => (bytes / 1024 ** 2).toFixed(0);
    this.out.write(`wandb: uploading artifact ${name}: ${step * 10}% (${mib(uploadedBytes)} of ${mib(totalBytes)} MiB)\n`);
  }

  line(text: string): void {
    this.out.write(`${text}\n`);
  }

  end(): void {}
}

/** The artifact whose bar is on screen, and where its rate is measured from. */
interface ActiveBar {
  name: string;
  startMs: number;
  startBytes: number;
  lastDrawMs: number;
  /** Length of the last drawing, so a shorter one can blank the rest. */
  drawnLength: number;
}

class TerminalBar implements UploadProgressReporter {
  private active: ActiveBar | undefined;

  constructor(
    private readonly out: ProgressOutput,
    private readonly minBytes: number,
    private readonly now: () => number,
    private readonly redrawEveryMs: number,
  ) {}

  onProgress({ name, uploadedBytes, totalBytes }: ArtifactUploadProgress): void {
    if (totalBytes < this.minBytes || totalBytes <= 0) return;
    const at = this.now();
    if (this.active?.name !== name) {
      this.end();
      this.active = { name, startMs: at, startBytes: uploadedBytes, lastDrawMs: Number.NEGATIVE_INFINITY, drawnLength: 0 };
    }
    const bar = this.active!;
    const complete = uploadedBytes >= totalBytes;
    if (!complete && at - bar.lastDrawMs < this.redrawEveryMs) return;
    bar.lastDrawMs = at;
    const seconds = (at - bar.startMs) / 1000;
    const rate = seconds > 0 ? `${formatBytes((uploadedBytes - bar.startBytes) / seconds)}/s` : "–/s";
    const text = `${progressText({ label: `wandb: uploading ${name}`, done: uploadedBytes, total: totalBytes, format: formatBytes })}  ${rate}`;
    this.out.write(`\r${text}${" ".repeat(Math.max(0, bar.drawnLength - text.length))}`);
    bar.drawnLength = text.length;
    if (complete) this.end();
  }

  line(text: string): void {
    this.end();
    this.out.write(`${text}\n`);
  }

  end(): void {
    if (this.active === undefined) return;
    this.active = undefined;
    this.out.write("\n");
  }
}
