/**
 * Reads a `.wandb` transaction log: checks the file header, verifies each chunk's CRC, reassembles
 * FIRST/MIDDLE/LAST chunks and decodes the records. A file whose end was cut off while a record was
 * being written (a live or killed run) reads as every complete record before the cut, with
 * `tornTail: true`; damage anywhere else is an error. Files are read block by block, so a log of any
 * size is read in constant memory (beyond the record being reassembled).
 */
import { open } from "node:fs/promises";
import { BLOCK_SIZE, CHUNK_HEADER_SIZE, ChunkType, FILE_HEADER, chunkChecksum } from "./log-format.js";
import { decodeRecord, type WandbRecord } from "../protocol/records.js";
import { ProtoDecodeError } from "../protocol/wire.js";

/** Raised when a transaction log is damaged somewhere other than its tail, or is not a W&B log. */
export class TransactionLogCorruptError extends Error {
  constructor(readonly file: string, readonly offset: number, problem: string) {
    super(
      `${file}: ${problem} at byte ${offset}. The file is not a valid W&B transaction log past this point; ` +
        `records before it are intact (read them with readTransactionLog after truncating at byte ${offset}).`,
    );
    this.name = "TransactionLogCorruptError";
  }
}

/** What a transaction log holds. */
export interface TransactionLog {
  records: WandbRecord[];
  /** True when the file ends inside a record (it was cut while being written). */
  tornTail: boolean;
}

const isZero = (bytes: Uint8Array): boolean => bytes.every((byte) => byte === 0);

/** Parses a log one 32 KiB block at a time, keeping only the record being reassembled between blocks. */
class BlockParser {
  private pending: Uint8Array[] | undefined; // pieces of a record begun by a FIRST chunk
  private recordStart = 0;
  private zeroTail = false; // zeros seen to the end so far
  private torn = false;

  constructor(private readonly file: string) {}

  /** True when the file ended inside a record. Call after the last block. */
  get tornTail(): boolean {
    return this.torn || this.zeroTail || this.pending !== undefined;
  }

  /**
   * Parses the block starting at file offset `blockStart` (a multiple of 32 KiB). Only the file's last
   * block (`isLast`) may be shorter than 32 KiB. Decoded records are pushed to `out`.
   */
  parseBlock(block: Uint8Array, blockStart: number, isLast: boolean, out: WandbRecord[]): void {
    if (this.torn) return;
    if (this.zeroTail) {
      if (!isZero(block)) throw new TransactionLogCorruptError(this.file, blockStart, "data after a run of zeros");
      return;
    }
    const view = new DataView(block.buffer, block.byteOffset, block.byteLength);
    let position = blockStart === 0 ? FILE_HEADER.length : 0;
    while (BLOCK_SIZE - position >= CHUNK_HEADER_SIZE && position < block.length) {
      const at = blockStart + position;
      if (position + CHUNK_HEADER_SIZE > block.length) {
        this.torn = true;
        return;
      }
      const checksum = view.getUint32(position, true);
      const length = view.getUint16(position + 4, true);
      const type = block[position + 6]!;
      if (checksum === 0 && length === 0 && type === 0 && isZero(block.subarray(position))) {
        this.zeroTail = true; // space a crash left allocated but unwritten, if zeros run to the end
        return;
      }
      const payloadStart = position + CHUNK_HEADER_SIZE;
      if (payloadStart + length > BLOCK_SIZE) {
        throw new TransactionLogCorruptError(this.file, at, `chunk length ${length} crosses a block boundary`);
      }
      if (payloadStart + length > block.length) {
        this.torn = true;
        return;
      }
      const payload = block.subarray(payloadStart, payloadStart + length);
      if (chunkChecksum(type, payload) !== checksum) {
        // A bad checksum on the very last chunk of the file is a write cut short; elsewhere it is damage.
        if (isLast && payloadStart + length === block.length) {
          this.torn = true;
          return;
        }
        throw new TransactionLogCorruptError(this.file, at, "chunk checksum mismatch");
      }
      position = payloadStart + length;
      this.take(type, payload, at, out);
    }
  }

  private take(type: number, payload: Uint8Array, at: number, out: WandbRecord[]): void {
    if ((type === ChunkType.full || type === ChunkType.first) && this.pending) {
      throw new TransactionLogCorruptError(this.file, at, "a new record starts inside an unfinished one");
    }
    switch (type) {
      case ChunkType.full:
        out.push(this.decode(payload, at));
        return;
      case ChunkType.first:
        this.recordStart = at;
        this.pending = [new Uint8Array(payload)]; // a copy: the block buffer is reused for the next read
        return;
      case ChunkType.middle:
      case ChunkType.last:
        if (!this.pending) throw new TransactionLogCorruptError(this.file, at, "continuation chunk without a first chunk");
        this.pending.push(new Uint8Array(payload));
        if (type === ChunkType.last) {
          out.push(this.decode(Buffer.concat(this.pending), this.recordStart));
          this.pending = undefined;
        }
        return;
      default:
        throw new TransactionLogCorruptError(this.file, at, `unknown chunk type ${type}`);
    }
  }

  private decode(payload: Uint8Array, offset: number): WandbRecord {
    try {
      return decodeRecord(payload);
    } catch (error) {
      if (error instanceof ProtoDecodeError) {
        throw new TransactionLogCorruptError(this.file, offset, `record does not decode (${error.message})`);
      }
      throw error;
    }
  }
}

/** Checks the 7-byte file header; returns false for a file cut inside its header. */
function checkHeader(head: Uint8Array, file: string): boolean {
  for (let i = 0; i < Math.min(head.length, FILE_HEADER.length); i++) {
    if (head[i] !== FILE_HEADER[i]) {
      throw new TransactionLogCorruptError(file, i, "bad file header (expected ':W&B', magic E1 BE, version 0)");
    }
  }
  return head.length >= FILE_HEADER.length;
}

/** Parses the bytes of a transaction log; `file` is only used in error messages. */
export function parseTransactionLog(data: Uint8Array, file = "<memory>"): TransactionLog {
  if (!checkHeader(data, file)) return { records: [], tornTail: data.length > 0 };
  const parser = new BlockParser(file);
  const records: WandbRecord[] = [];
  for (let start = 0; start < data.length; start += BLOCK_SIZE) {
    const end = Math.min(start + BLOCK_SIZE, data.length);
    parser.parseBlock(data.subarray(start, end), start, end === data.length, records);
  }
  return { records, tornTail: parser.tornTail };
}

/**
 * Streams the records of the log at `path` (as long as the file was when opened), block by block.
 * `onEnd` receives whether the file ended inside a record.
 */
export async function* transactionLogRecords(path: string, onEnd?: (tornTail: boolean) => void): AsyncGenerator<WandbRecord> {
  const handle = await open(path, "r");
  try {
    const size = (await handle.stat()).size;
    const head = Buffer.alloc(Math.min(size, FILE_HEADER.length));
    await handle.read(head, 0, head.length, 0);
    if (!checkHeader(head, path)) {
      onEnd?.(size > 0);
      return;
    }
    const parser = new BlockParser(path);
    const batch = Buffer.allocUnsafe(32 * BLOCK_SIZE); // 1 MiB per read
    for (let start = 0; start < size; start += batch.length) {
      const { bytesRead } = await handle.read(batch, 0, Math.min(batch.length, size - start), start);
      const records: WandbRecord[] = [];
      for (let offset = 0; offset < bytesRead; offset += BLOCK_SIZE) {
        const end = Math.min(offset + BLOCK_SIZE, bytesRead);
        parser.parseBlock(batch.subarray(offset, end), start + offset, start + end >= size, records);
      }
      for (const record of records) yield record;
    }
    onEnd?.(parser.tornTail);
  } finally {
    await handle.close();
  }
}

/** Reads and parses the transaction log at `path`. */
export async function readTransactionLog(path: string): Promise<TransactionLog> {
  const records: WandbRecord[] = [];
  let tornTail = false;
  for await (const record of transactionLogRecords(path, (torn) => (tornTail = torn))) records.push(record);
  return { records, tornTail };
}
