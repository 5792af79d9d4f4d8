/** Copying a file while hashing it, in one read: the copy and its digest always agree. */
import { open, unlink } from "node:fs/promises";
import { digestFile, type FileDigest } from "./file-digest.js";

/**
 * Copies `source` to `target` (created, or truncated) and returns the MD5 of exactly the bytes written.
 * On failure `target` is removed and the error is rethrown.
 */
export async function copyWithDigest(source: string, target: string, mode = 0o644): Promise<FileDigest> {
  const out = await open(target, "w", mode);
  try {
    const result = await digestFile(source, async (chunk) => {
      await out.write(chunk);
    });
    await out.sync();
    await out.close();
    return result;
  } catch (error) {
    await out.close().catch(() => undefined);
    await unlink(target).catch(() => undefined);
    throw error;
  }
}
