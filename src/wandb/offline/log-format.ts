/**
 * The framing of W&B's `.wandb` transaction log (reference §5.2): a 7-byte file header, then
 * 32 KiB blocks of chunks `[crc32 LE u32][length LE u16][type u8][payload]`, where the checksum is
 * zlib's CRC-32 of the type byte followed by the payload. Records larger than what is left in a block
 * are split into FIRST / MIDDLE… / LAST chunks; a block tail shorter than a chunk header is zeroed.
 */
import { crc32 } from "node:zlib";

/** `:W&B`, magic `0xBEE1` little-endian, version 0. */
export const FILE_HEADER = Uint8Array.of(0x3a, 0x57, 0x26, 0x42, 0xe1, 0xbe, 0x00);
export const BLOCK_SIZE = 32768;
export const CHUNK_HEADER_SIZE = 7;

/** Chunk types of the LevelDB log format. */
export const ChunkType = { full: 1, first: 2, middle: 3, last: 4 } as const;

/** The CRC stored in a chunk header: CRC-32 (IEEE) over the type byte, then the payload. */
export function chunkChecksum(type: number, payload: Uint8Array): number {
  return crc32(payload, crc32(Uint8Array.of(type)));
}

/**
 * Frames one record payload for appending at file offset `offset`: returns the bytes to append
 * (padding, chunk headers and payload pieces), so the caller's next offset is `offset + result.length`.
 */
export function frameRecord(payload: Uint8Array, offset: number): Uint8Array {
  const leftInBlock = BLOCK_SIZE - (offset % BLOCK_SIZE);
  if (leftInBlock >= CHUNK_HEADER_SIZE + payload.length) {
    // The common case: one FULL chunk, no padding; built in one allocation.
    const chunk = Buffer.allocUnsafe(CHUNK_HEADER_SIZE + payload.length);
    chunk.writeUInt32LE(chunkChecksum(ChunkType.full, payload), 0);
    chunk.writeUInt16LE(payload.length, 4);
    chunk[6] = ChunkType.full;
    chunk.set(payload, CHUNK_HEADER_SIZE);
    return chunk;
  }
  const pieces: Uint8Array[] = [];
  let position = offset;
  let remaining = payload;
  let first = true;
  for (;;) {
    const leftInBlock = BLOCK_SIZE - (position % BLOCK_SIZE);
    if (leftInBlock < CHUNK_HEADER_SIZE) {
      pieces.push(new Uint8Array(leftInBlock));
      position += leftInBlock;
      continue;
    }
    const room = leftInBlock - CHUNK_HEADER_SIZE;
    const isLast = remaining.length <= room;
    const piece = remaining.subarray(0, Math.min(room, remaining.length));
    const type = first ? (isLast ? ChunkType.full : ChunkType.first) : isLast ? ChunkType.last : ChunkType.middle;
    const chunk = new Uint8Array(CHUNK_HEADER_SIZE + piece.length);
    const view = new DataView(chunk.buffer);
    view.setUint32(0, chunkChecksum(type, piece), true);
    view.setUint16(4, piece.length, true);
    chunk[6] = type;
    chunk.set(piece, CHUNK_HEADER_SIZE);
    pieces.push(chunk);
    position += chunk.length;
    remaining = remaining.subarray(piece.length);
    first = false;
    if (isLast) break;
  }
  return Buffer.concat(pieces);
}
