/**
 * Rebuilds a run's state from its transaction log: identity (entity, project, group, job type…),
 * config, summary, history rows and exit — what the read API returns for local runs.
 */
import { readdir } from "node:fs/promises";
import { existsSync } from "node:fs";
import path from "node:path";
import { parseExtendedJson } from "../protocol/extended-json.js";
import { applyItems, setPath, type JsonTree } from "../run/key-value-tree.js";
import type { RunRecord } from "../protocol/records.js";
import { transactionLogRecords } from "./transaction-log-reader.js";

/** A run as read back from its offline directory. */
export interface LocalRunData {
  id: string;
  dir: string;
  entity?: string;
  project?: string;
  group?: string;
  jobType?: string;
  name?: string;
  notes?: string;
  tags: string[];
  /** Start time (ms since epoch). */
  startedAt?: number;
  config: JsonTree;
  summary: JsonTree;
  history: Array<Record<string, unknown>>;
  /** `finished` (exit 0), `failed` (other exit code), or `running` (no exit record yet, or a cut-off log). */
  state: "finished" | "failed" | "running";
  exitCode?: number;
}

/** Run directories (`offline-run-…` and `run-…`) under a W&B directory, oldest first. */
export async function listRunDirs(wandbDir: string): Promise<string[]> {
  if (!existsSync(wandbDir)) return [];
  const names = (await readdir(wandbDir)).filter((n) => /^(offline-)?run-\d{8}_\d{6}-.+$/.test(n));
  return names.sort((a, b) => a.replace(/^offline-/, "").localeCompare(b.replace(/^offline-/, ""))).map((n) => path.join(wandbDir, n));
}

/** The run id a run directory name ends with. */
export function runIdOfDir(dir: string): string {
  return path.basename(dir).replace(/^(offline-)?run-\d{8}_\d{6}-/, "");
}

export async function readLocalRun(dir: string): Promise<LocalRunData> {
  const id = runIdOfDir(dir);
  const data: LocalRunData = { id, dir, tags: [], config: {}, summary: {}, history: [], state: "running" };
  let run: RunRecord | undefined;
  for await (const record of transactionLogRecords(path.join(dir, `run-${id}.wandb`))) {
    switch (record.type) {
      case "run":
        run = { ...run, ...record.run };
        applyItems(data.config, record.run.config?.update, record.run.config?.remove);
        applyItems(data.summary, record.run.summary?.update, record.run.summary?.remove);
        break;
      case "config":
        applyItems(data.config, record.config.update, record.config.remove);
        break;
      case "summary":
        applyItems(data.summary, record.summary.update, record.summary.remove);
        break;
      case "history": {
        const row: Record<string, unknown> = {};
        for (const item of record.history.item ?? []) {
          const key = item.nestedKey && item.nestedKey.length > 0 ? item.nestedKey.join(".") : (item.key ?? "");
          setPath(row, [key], parseExtendedJson(item.valueJson ?? "null"));
        }
        data.history.push(row);
        break;
      }
      case "exit":
        data.exitCode = record.exit.exitCode ?? 0;
        data.state = data.exitCode === 0 ? "finished" : "failed";
        break;
      default:
        break;
    }
  }
  if (run) {
    if (run.entity) data.entity = run.entity;
    if (run.project) data.project = run.project;
    if (run.runGroup) data.group = run.runGroup;
    if (run.jobType) data.jobType = run.jobType;
    if (run.displayName) data.name = run.displayName;
    if (run.notes) data.notes = run.notes;
    data.tags = run.tags ?? [];
    if (run.startTime) data.startedAt = (run.startTime.seconds ?? 0) * 1000 + (run.startTime.nanos ?? 0) / 1e6;
  }
  return data;
}
