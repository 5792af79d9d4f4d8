import { randomUUID } from "node:crypto";
import { mkdir, readdir, rename, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { extract as extractTar } from "tar";

/**
 * Directory where stored files and folders are unpacked when read back. `WBFLOW_FILES_DIR` overrides
 * the default `<os tmpdir>/wbflow-files`.
 */
export function materializeRoot(): string {
  return process.env.WBFLOW_FILES_DIR ?? join(tmpdir(), "wbflow-files");
}

/**
 * Unpacks a single-root tar into `<materializeRoot>/<key>/` and returns the path of its root entry.
 * Unpacking goes to a temporary folder renamed into place, so a half-unpacked copy is never used;
 * a key already unpacked is reused.
 */
export async function materializeArchive(archive: NodeJS.ReadableStream, key: string | undefined): Promise<string> {
  const root = materializeRoot();
  const finalDir = join(root, key ?? `unkeyed-${randomUUID()}`);
  const existing = await singleEntry(finalDir).catch(() => undefined);
  if (existing !== undefined) return existing;
  const temporaryDir = join(root, `.tmp-${randomUUID()}`);
  await mkdir(temporaryDir, { recursive: true });
  try {
    await pipeline(archive, extractTar({ cwd: temporaryDir, strict: true }));
    await rename(temporaryDir, finalDir).catch(async (error: NodeJS.ErrnoException) => {
      // Another reader unpacked the same content first: theirs is identical, keep it.
      if (error.code !== "ENOTEMPTY" && error.code !== "EEXIST") throw error;
      await rm(temporaryDir, { recursive: true, force: true });
    });
  } catch (error) {
    await rm(temporaryDir, { recursive: true, force: true });
    throw error;
  }
  return singleEntry(finalDir);
}

async function singleEntry(dir: string): Promise<string> {
  await stat(dir);
  const names = await readdir(dir);
  if (names.length !== 1) {
    throw new Error(`Unpacked archive in ${dir} should hold exactly one file or folder, found ${names.length}.`);
  }
  return join(dir, names[0]!);
}
