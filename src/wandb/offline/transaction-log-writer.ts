/**
 * Appends records to a `.wandb` transaction log. Each record is encoded, framed and appended with one
 * synchronous write as soon as it is produced, so a killed process leaves a readable prefix and a
 * closed log is complete. Records get `num` 1, 2, 3… in write order, as W&B's writer assigns them.
 *
 * Durability: `close()` does not fsync, as W&B's own writer does not (wandb-core's
 * `transactionlog.Writer.Close` flushes its buffer and closes the file). Every record is already in
 * the kernel when `append` returns, so a crash or kill of the process loses nothing; only an OS crash
 * or power loss before the kernel writes back can, as with W&B. An fsync here cost more than the rest
 * of a short run (a journal commit per run) and never covered the run's new directory entries anyway.
 */
import { closeSync, openSync, writeSync } from "node:fs";
import { FILE_HEADER, frameRecord } from "./log-format.js";
import { encodeRecord, type WandbRecord } from "../protocol/records.js";

export class TransactionLogWriter {
  private fd: number | undefined;
  private offset: number;
  private nextNum = 1;

  /** Creates `path` (it must not exist yet: a run's log is never overwritten) and writes the file header. */
  constructor(readonly path: string) {
    this.fd = openSync(path, "wx");
    writeSync(this.fd, FILE_HEADER);
    this.offset = FILE_HEADER.length;
  }

  /** The log's size so far: where the next record goes. */
  get end(): number {
    return this.offset;
  }

  /** Assigns the next `num` to `record` (unless it already has one) and appends it. Returns the num. */
  append(record: WandbRecord): number {
    if (this.fd === undefined) throw new Error(`transaction log ${this.path} is closed; no record can be appended`);
    const num = record.num ?? this.nextNum;
    this.nextNum = num + 1;
    const framed = frameRecord(encodeRecord({ ...record, num }), this.offset);
    writeSync(this.fd, framed);
    this.offset += framed.length;
    return num;
  }

  /** Closes the file (no fsync, see above). Safe to call twice. */
  close(): void {
    if (this.fd === undefined) return;
    closeSync(this.fd);
    this.fd = undefined;
  }
}
