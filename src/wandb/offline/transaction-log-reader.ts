/**
 * Reads a `.wandb` transaction log: checks the file header, verifies each chunk's CRC, reassembles
 * FIRST/MIDDLE/LAST chunks and decodes the records. A file whose end was cut off while a record was
 * being written (a live or killed run) reads as every complete record before the cut, with
 * `tornTail: true`; damage anywhere else is an error.
 */
import { readFile } from "node:fs/promises";
import { BLOCK_SIZE, CHUNK_HEADER_SIZE, ChunkType, FILE_HEADER, chunkChecksum } from "./log-format.js";
import { decodeRecord, type WandbRecord } from "./records.js";
import { ProtoDecodeError } from "../proto/wire.js";

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

/** Parses the bytes of a transaction log; `file` is only used in error messages. */
export function parseTransactionLog(data: Uint8Array, file = "<memory>"): TransactionLog {
  if (data.length < FILE_HEADER.length) {
    const isHeaderPrefix = data.every((byte, i) => byte === FILE_HEADER[i]);
    if (!isHeaderPrefix) throw new TransactionLogCorruptError(file, 0, "bad file header (expected ':W&B' magic)");
    return { records: [], tornTail: data.length > 0 };
  }
  for (let i = 0; i < FILE_HEADER.length; i++) {
    if (data[i] !== FILE_HEADER[i]) {
      throw new TransactionLogCorruptError(file, i, "bad file header (expected ':W&B', magic E1 BE, version 0)");
    }
  }
  const records: WandbRecord[] = [];
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  let position = FILE_HEADER.length;
  let pending: Uint8Array[] | undefined; // pieces of a record begun by a FIRST chunk
  let recordStart = position;
  while (position < data.length) {
    const leftInBlock = BLOCK_SIZE - (position % BLOCK_SIZE);
    if (leftInBlock < CHUNK_HEADER_SIZE) {
      position += leftInBlock; // zero trailer of the block
      continue;
    }
    if (position + CHUNK_HEADER_SIZE > data.length) return { records, tornTail: true };
    const checksum = view.getUint32(position, true);
    const length = view.getUint16(position + 4, true);
    const type = data[position + 6]!;
    if (checksum === 0 && length === 0 && type === 0 && data.subarray(position).every((byte) => byte === 0)) {
      // Zeros to the end: space a crash left allocated but unwritten.
      return { records, tornTail: true };
    }
    const payloadStart = position + CHUNK_HEADER_SIZE;
    if (payloadStart + length > data.length) return { records, tornTail: true };
    if (length > leftInBlock - CHUNK_HEADER_SIZE) {
      throw new TransactionLogCorruptError(file, position, `chunk length ${length} crosses a block boundary`);
    }
    const payload = data.subarray(payloadStart, payloadStart + length);
    if (chunkChecksum(type, payload) !== checksum) {
      // A bad checksum on the very last chunk of the file is a write cut short; elsewhere it is damage.
      if (payloadStart + length === data.length) return { records, tornTail: true };
      throw new TransactionLogCorruptError(file, position, "chunk checksum mismatch");
    }
    if (type === ChunkType.full || type === ChunkType.first) {
      if (pending) throw new TransactionLogCorruptError(file, position, "a new record starts inside an unfinished one");
      recordStart = position;
    }
    position = payloadStart + length;
    switch (type) {
      case ChunkType.full:
        records.push(decodeAt(payload, file, recordStart));
        break;
      case ChunkType.first:
        pending = [payload];
        break;
      case ChunkType.middle:
      case ChunkType.last:
        if (!pending) throw new TransactionLogCorruptError(file, position, "continuation chunk without a first chunk");
        pending.push(payload);
        if (type === ChunkType.last) {
          records.push(decodeAt(Buffer.concat(pending), file, recordStart));
          pending = undefined;
        }
        break;
      default:
        throw new TransactionLogCorruptError(file, position, `unknown chunk type ${type}`);
    }
  }
  return { records, tornTail: pending !== undefined };
}

function decodeAt(payload: Uint8Array, file: string, offset: number): WandbRecord {
  try {
    return decodeRecord(payload);
  } catch (error) {
    if (error instanceof ProtoDecodeError) {
      throw new TransactionLogCorruptError(file, offset, `record does not decode (${error.message})`);
    }
    throw error;
  }
}

/** Reads and parses the transaction log at `path`. */
export async function readTransactionLog(path: string): Promise<TransactionLog> {
  return parseTransactionLog(await readFile(path), path);
}
