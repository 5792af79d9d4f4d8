/**
 * A cross-process lock: a file created with O_EXCL holding the owner's pid and host. A lock whose
 * owner process on this host no longer exists is taken over, so a killed kernel cannot block others.
 */
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { open, rename, unlink } from "node:fs/promises";
import os from "node:os";

/** Raised when a lock stays held by a live process for longer than the timeout. */
export class LockTimeoutError extends Error {
  constructor(lockPath: string, owner: string) {
    super(`Timed out waiting for lock ${lockPath} (held by ${owner}). If that process is gone, delete the file.`);
    this.name = "LockTimeoutError";
  }
}

function ownerIsGone(lockPath: string): boolean {
  let owner: { pid?: number; host?: string };
  try {
    owner = JSON.parse(readFileSync(lockPath, "utf8")) as { pid?: number; host?: string };
  } catch {
    return false; // being written right now, or already released
  }
  if (owner.host !== os.hostname() || typeof owner.pid !== "number") return false;
  try {
    process.kill(owner.pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ESRCH";
  }
}

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `work` while holding the lock file `lockPath`. */
export async function withLockFile<T>(lockPath: string, work: () => Promise<T>, timeoutMs = 120_000): Promise<T> {
  const started = Date.now();
  let delay = 1;
  for (;;) {
    try {
      const handle = await open(lockPath, "wx");
      await handle.writeFile(JSON.stringify({ pid: process.pid, host: os.hostname() }));
      await handle.close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    if (ownerIsGone(lockPath)) {
      // Move the stale lock aside first: only one waiter wins the rename, so no one deletes a fresh lock.
      const aside = `${lockPath}.stale-${randomUUID()}`;
      try {
        await rename(lockPath, aside);
        await unlink(aside);
      } catch {
        // Someone else took it over first.
      }
      continue;
    }
    if (Date.now() - started > timeoutMs) {
      let owner = "an unknown process";
      try {
        owner = readFileSync(lockPath, "utf8");
      } catch {
        // released meanwhile; the next attempt will tell
      }
      throw new LockTimeoutError(lockPath, owner);
    }
    await wait(delay);
    delay = Math.min(delay * 2, 50);
  }
  try {
    return await work();
  } finally {
    await unlink(lockPath);
  }
}
