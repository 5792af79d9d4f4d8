/** The one-line outcome of a sync, shown by `wbflow sync` and `%wandb sync`. */
import type { SyncedRun } from "./sync.js";

/** The reason of a run skipped because it was synced before. */
export const ALREADY_SYNCED = "already synced";

/** True for a run skipped for another reason than being synced already (a run still being written). */
export function isLeftAlone(result: SyncedRun): boolean {
  return result.status === "skipped" && result.reason !== ALREADY_SYNCED;
}

/** `N synced, M already synced, K failed.`, plus the runs left alone (still being written), if any. */
export function syncTotalsLine(results: SyncedRun[]): string {
  const count = (keep: (result: SyncedRun) => boolean) => results.filter(keep).length;
  const leftAlone = count(isLeftAlone);
  const line =
    `${count((r) => r.status === "synced")} synced, ${count((r) => r.status === "skipped" && !isLeftAlone(r))} already synced, ` +
    `${count((r) => r.status === "failed")} failed.`;
  return leftAlone === 0 ? line : `${line} ${leftAlone} left alone: still being written (sync them once they finished).`;
}
