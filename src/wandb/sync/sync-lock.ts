/**
 * One sync at a time per wandb directory. Two syncs of the same runs at once would both create the
 * same artifact versions on the server (duplicates without a producing run, lineage pointing at
 * them), so a sync holds `<wandb dir>/.sync.lock` while it uploads; a second one says another sync
 * is running, waits for it, and then sees the runs it finished as already synced.
 */
import path from "node:path";
import { withLockFile } from "../offline/lock-file.js";

/** The lock file of the wandb directory holding `runDir`. */
export function syncLockPath(wandbDir: string): string {
  return path.join(wandbDir, ".sync.lock");
}

/** Runs `work` holding the sync lock of every directory in `wandbDirs` (taken in sorted order). */
export async function withSyncLocks<T>(wandbDirs: string[], notify: (line: string) => void, work: () => Promise<T>): Promise<T> {
  const dirs = [...new Set(wandbDirs.map((dir) => path.resolve(dir)))].sort();
  const hold = (index: number): Promise<T> => {
    const dir = dirs[index];
    if (dir === undefined) return work();
    return withLockFile(syncLockPath(dir), () => hold(index + 1), {
      timeoutMs: Infinity, // the holder is alive and uploading; a dead holder's lock is taken over
      onWait: (owner) =>
        notify(
          `wandb: another sync (${owner}) is uploading runs of ${dir}; waiting for it to finish. ` +
            `If that process is gone (e.g. it ran on another machine or container), delete ${syncLockPath(dir)}.`,
        ),
    });
  };
  return hold(0);
}
