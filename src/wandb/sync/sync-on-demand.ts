/**
 * `syncRuns` as `wbflow/wandb` exports it: the sync code, and with it the whole online client (HTTP,
 * GraphQL, file_stream, uploads), is loaded on the first call rather than by importing the package.
 */
import type { SyncOptions, SyncedRun } from "./sync.js";

/**
 * Uploads run logs written offline (or online runs whose upload did not finish) to the W&B server,
 * oldest first, marking each run synced once all of it is there. Never throws for one run's failure:
 * see each result's `status`.
 */
export async function syncRuns(options: SyncOptions): Promise<SyncedRun[]> {
  const sync = await import("./sync.js");
  return sync.syncRuns(options);
}
