/** The always-attached sink: appends every record of a run to its `.wandb` transaction log. */
import type { RecordSink } from "../protocol/record-sink.js";
import type { WandbRecord } from "../protocol/records.js";
import { encodeRecord } from "../protocol/records.js";
import { frameRecord } from "./log-format.js";
import { clearLogWriter, markLogWriter } from "./log-writer-mark.js";
import { TransactionLogWriter } from "./transaction-log-writer.js";

export class TransactionLogSink implements RecordSink {
  private readonly writer: TransactionLogWriter;

  constructor(readonly logPath: string) {
    this.writer = new TransactionLogWriter(logPath);
    markLogWriter(logPath); // a sync leaves the run alone until it is closed (see log-writer-mark.ts)
  }

  /**
   * The bytes that appending `records` (each with its `num`) would add now, without appending them:
   * what a prepared finish keeps. Returns the offset they are framed for.
   */
  frameAhead(records: WandbRecord[]): { offset: number; bytes: Uint8Array } {
    const offset = this.writer.end;
    const pieces: Uint8Array[] = [];
    let at = offset;
    records.forEach((record) => {
      const framed = frameRecord(encodeRecord(record), at);
      pieces.push(framed);
      at += framed.length;
    });
    return { offset, bytes: Buffer.concat(pieces) };
  }

  /** Appends synchronously, so the log is complete up to this record even if the process dies next. */
  write(record: WandbRecord): void {
    this.writer.append(record);
  }

  /** Synchronous close, usable from a process 'exit' handler. */
  closeSync(): void {
    this.writer.close();
    clearLogWriter(this.logPath);
  }

  async close(): Promise<void> {
    this.closeSync();
  }
}
