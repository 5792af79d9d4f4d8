/**
 * The order in which W&B's own `wandb sync` can upload wbflow runs without losing lineage.
 *
 * wbflow records a step's read of an artifact as an `artifact` record with `use_after_commit`.
 * W&B's sender replays such a record as "create this version (or find it by digest), then use it":
 * if the producing run was synced first the version exists and the edge points at it; if the
 * consumer goes first, the consumer becomes the version's creator. `wandb sync` given several runs
 * uploads them in parallel, in no particular order, so each run must be synced on its own, every
 * producer before the runs that use its versions. `wbflow sync` does this by itself (produced
 * versions first, use edges after every run); this module gives the same order as commands.
 */
import { liveLogWriter } from "../offline/log-writer-mark.js";
import { readTransactionLog } from "../offline/transaction-log-reader.js";
import type { ArtifactRecord } from "../protocol/records.js";
import { findSyncSources, logsInWandbDir, type SyncSource } from "./sync-sources.js";

/** One run and the artifact versions it produced and used, keyed `project/name@digest`. */
interface RunLineage {
  source: SyncSource;
  startMs: number;
  produces: Set<string>;
  uses: Set<string>;
}

const versionKey = (artifact: ArtifactRecord) => `${artifact.project ?? ""}/${artifact.name ?? ""}@${artifact.digest ?? ""}`;

async function lineageOf(source: SyncSource): Promise<RunLineage> {
  const { records } = await readTransactionLog(source.logPath);
  const lineage: RunLineage = { source, startMs: Number.MAX_SAFE_INTEGER, produces: new Set(), uses: new Set() };
  for (const record of records) {
    if (record.type === "run" && record.run.startTime) {
      lineage.startMs = Math.min(lineage.startMs, (record.run.startTime.seconds ?? 0) * 1000 + (record.run.startTime.nanos ?? 0) / 1e6);
    }
    if (record.type !== "artifact") continue;
    (record.artifact.useAfterCommit ? lineage.uses : lineage.produces).add(versionKey(record.artifact));
  }
  return lineage;
}

/**
 * The runs ordered so that every run comes after the runs that produced the versions it uses
 * (oldest first among runs free to go). A cycle (two runs using each other's versions) is broken
 * by start time.
 */
export async function producersFirst(sources: SyncSource[]): Promise<SyncSource[]> {
  const runs = await Promise.all(sources.map(lineageOf));
  runs.sort((a, b) => a.startMs - b.startMs || a.source.logPath.localeCompare(b.source.logPath));
  const producersOf = (run: RunLineage) =>
    runs.filter((other) => other !== run && [...run.uses].some((key) => other.produces.has(key) && !run.produces.has(key)));
  const ordered: RunLineage[] = [];
  const pending = [...runs];
  while (pending.length > 0) {
    const ready = pending.find((run) => producersOf(run).every((producer) => ordered.includes(producer))) ?? pending[0]!;
    ordered.push(ready);
    pending.splice(pending.indexOf(ready), 1);
  }
  return ordered.map((run) => run.source);
}

/**
 * Shell commands that upload the chosen runs with W&B's own CLI safely: one run per command,
 * producers first, to be run one after the other. With `allIn`, runs already synced are left out
 * unless `includeSynced`.
 */
export async function wandbSyncCommands(selection: { paths?: string[]; allIn?: string; includeSynced?: boolean }): Promise<string[]> {
  const found = selection.allIn !== undefined ? findSyncSources(logsInWandbDir(selection.allIn)) : findSyncSources(selection.paths ?? []);
  const chosen = selection.allIn !== undefined && !selection.includeSynced ? found.filter((source) => !source.alreadySynced) : found;
  // As `wbflow sync --all`: a run a live process is still writing is left out (W&B's sync would
  // upload it as failed and mark it synced, and the rest of it would never follow).
  const settled = selection.allIn !== undefined ? chosen.filter((source) => liveLogWriter(source.logPath) === undefined) : chosen;
  return (await producersFirst(settled)).map((source) => `wandb sync ${shellQuote(source.runDir)}`);
}

function shellQuote(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, "'\\''")}'`;
}
