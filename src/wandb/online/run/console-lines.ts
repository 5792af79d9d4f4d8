/**
 * Turns raw console chunks into `output.log` lines addressed by line number (reference §3.7):
 * `\n` ends a line, `\r` returns to its start so later text overwrites it (progress bars). A line
 * that changes is re-sent at the same offset. Lines read `[ERROR ]<UTC timestamp> <text>`.
 */

/** One line to (re)send: its offset in `output.log` and its text. */
export interface ConsoleLine {
  offset: number;
  text: string;
}

/** W&B's console timestamp: UTC `YYYY-MM-DDTHH:MM:SS.ffffff`, no zone letter. */
export function consoleTimestamp(ms: number): string {
  const iso = new Date(ms).toISOString(); // 2023-11-14T22:13:21.500Z
  return `${iso.slice(0, 23)}000`;
}

/** The terminal state of one run's console. */
export class ConsoleLines {
  private lineNumber: number;
  private current = "";
  private cursor = 0;
  private currentIsError = false;
  private currentTimestamp = "";

  /** @param startLine lines already stored (a resumed run appends after them). */
  constructor(startLine = 0) {
    this.lineNumber = startLine;
  }

  /** Feeds a raw chunk; returns the lines it created or changed. */
  write(chunk: string, isError: boolean, timestampMs: number): ConsoleLine[] {
    const changed = new Map<number, string>();
    if (this.current === "" && this.cursor === 0) {
      this.currentIsError = isError;
      this.currentTimestamp = consoleTimestamp(timestampMs);
    }
    for (const ch of chunk) {
      if (ch === "\n") {
        changed.set(this.lineNumber, this.format());
        this.lineNumber += 1;
        this.current = "";
        this.cursor = 0;
        this.currentIsError = isError;
        this.currentTimestamp = consoleTimestamp(timestampMs);
      } else if (ch === "\r") {
        this.cursor = 0;
      } else {
        this.current = this.current.slice(0, this.cursor) + ch + this.current.slice(this.cursor + 1);
        this.cursor += 1;
        changed.set(this.lineNumber, this.format());
      }
    }
    return [...changed].map(([offset, text]) => ({ offset, text }));
  }

  /** Adds one whole line (from `output` / `output_logger` records). */
  writeLine(line: string, isError: boolean, timestampMs: number): ConsoleLine[] {
    const lines = this.current === "" && this.cursor === 0 ? [] : this.write("\n", isError, timestampMs);
    return [...lines, ...this.write(`${line}\n`, isError, timestampMs)];
  }

  private format(): string {
    return `${this.currentIsError ? "ERROR " : ""}${this.currentTimestamp} ${this.current}`;
  }
}
