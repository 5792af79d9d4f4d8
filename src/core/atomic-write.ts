import { randomUUID } from "node:crypto";
import { mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";

/**
 * Writes a file so readers see either the old content or the whole new content, never a part:
 * write a temporary sibling, then rename it over the target (rename is atomic on POSIX).
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const directory = dirname(path);
  const temporary = join(directory, `.tmp-${randomUUID()}`);
  try {
    await writeFile(temporary, data);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    await mkdir(directory, { recursive: true });
    await writeFile(temporary, data);
  }
  try {
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/**
 * `writeFileAtomic` done synchronously, for small files written on a hot path (a task's attempt
 * and done files): each asynchronous file call is a thread-pool round trip, which on a busy machine
 * costs several times what writing a few kilobytes does.
 */
export function writeFileAtomicSync(path: string, data: string | Uint8Array): void {
  const directory = dirname(path);
  const temporary = join(directory, `.tmp-${randomUUID()}`);
  try {
    writeFileSync(temporary, data);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    mkdirSync(directory, { recursive: true });
    writeFileSync(temporary, data);
  }
  try {
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}
