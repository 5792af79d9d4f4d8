/**
 * The marker W&B's `wandb sync` leaves beside a transaction log once it is uploaded:
 * `run-<id>.wandb.synced`, empty. Runs that have it are skipped by later syncs.
 */
import { existsSync } from "node:fs";
import { writeFile } from "node:fs/promises";

/** The marker's path for a `.wandb` log. */
export function syncedMarkerPath(logPath: string): string {
  return `${logPath}.synced`;
}

/** True when the log has its `.synced` marker. */
export function isSynced(logPath: string): boolean {
  return existsSync(syncedMarkerPath(logPath));
}

/** Writes the (empty) marker; an empty file needs no temp-file dance to be atomic. */
export async function markSynced(logPath: string): Promise<void> {
  await writeFile(syncedMarkerPath(logPath), "");
}
