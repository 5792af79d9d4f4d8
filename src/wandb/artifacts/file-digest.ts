/**
 * Streaming MD5 of files, in W&B's base64 form (reference §4.2). Files are read in large chunks into
 * two reused buffers, so hashing a multi-GB file uses constant memory.
 */
import { createHash, type Hash } from "node:crypto";
import { open } from "node:fs/promises";

/** Read size: large enough that syscalls are negligible next to hashing. */
export const READ_CHUNK_BYTES = 4 * 1024 * 1024;

/** A file's MD5 (base64, as W&B writes entry digests) and size. */
export interface FileDigest {
  digest: string;
  size: number;
}

/**
 * Reads `path` once, feeding every chunk to MD5 and to `onChunk` (e.g. a copy being written), in order.
 */
export async function digestFile(path: string, onChunk?: (chunk: Uint8Array) => Promise<void>): Promise<FileDigest> {
  const hash: Hash = createHash("md5");
  const handle = await open(path, "r");
  // Two buffers: the next read runs on the I/O thread while this thread hashes the previous chunk.
  let filling = Buffer.allocUnsafe(READ_CHUNK_BYTES);
  let spare = Buffer.allocUnsafe(READ_CHUNK_BYTES);
  let size = 0;
  try {
    let pending = handle.read(filling, 0, READ_CHUNK_BYTES, null);
    for (;;) {
      const { bytesRead } = await pending;
      if (bytesRead === 0) break;
      const chunk = filling.subarray(0, bytesRead);
      [filling, spare] = [spare, filling];
      pending = handle.read(filling, 0, READ_CHUNK_BYTES, null);
      hash.update(chunk);
      if (onChunk) await onChunk(chunk);
      size += bytesRead;
    }
  } finally {
    await handle.close();
  }
  return { digest: hash.digest("base64"), size };
}

/** base64 MD5 → hex MD5 (the object-store key). */
export function base64DigestToHex(digest: string): string {
  return Buffer.from(digest, "base64").toString("hex");
}
