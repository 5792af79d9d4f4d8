/** The always-attached sink: appends every record of a run to its `.wandb` transaction log. */
import type { RecordSink } from "../protocol/record-sink.js";
import type { WandbRecord } from "../protocol/records.js";
import { TransactionLogWriter } from "./transaction-log-writer.js";

export class TransactionLogSink implements RecordSink {
  private readonly writer: TransactionLogWriter;

  constructor(logPath: string) {
    this.writer = new TransactionLogWriter(logPath);
  }

  /** Appends synchronously, so the log is complete up to this record even if the process dies next. */
  write(record: WandbRecord): void {
    this.writer.append(record);
  }

  /** Synchronous close, usable from a process 'exit' handler. */
  closeSync(): void {
    this.writer.close();
  }

  async close(): Promise<void> {
    this.writer.close();
  }
}
