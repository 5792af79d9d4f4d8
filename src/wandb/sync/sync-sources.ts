/**
 * Which transaction logs a sync uploads: the `.wandb` files named by the user's paths (a log, a
 * run directory, or a `wandb/` directory of runs), or every run in the wandb directory (`--all`),
 * skipping logs already marked synced.
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { isSynced } from "./sync-marker.js";

/** Raised for a path that holds no W&B run log. */
export class SyncPathError extends Error {
  constructor(target: string, problem: string) {
    super(`wbflow sync: ${target}: ${problem}. Give a run directory (…/wandb/offline-run-…), its .wandb file, or a wandb/ directory.`);
    this.name = "SyncPathError";
  }
}

/** A log found for syncing. */
export interface SyncSource {
  logPath: string;
  runDir: string;
  alreadySynced: boolean;
}

function logsInRunDir(dir: string): string[] {
  return readdirSync(dir)
    .filter((name) => /^run-.+\.wandb$/.test(name))
    .map((name) => path.join(dir, name));
}

function isRunDirName(name: string): boolean {
  return /^(offline-)?run-\d{8}_\d{6}-/.test(name);
}

/** Every run log in a `wandb/` directory (offline runs and online runs whose upload did not finish). */
export function logsInWandbDir(wandbDir: string): string[] {
  if (!existsSync(wandbDir)) return [];
  return readdirSync(wandbDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && isRunDirName(entry.name))
    .flatMap((entry) => logsInRunDir(path.join(wandbDir, entry.name)));
}

/** Expands user paths to logs. Throws `SyncPathError` for a path with none. */
export function findSyncSources(paths: string[]): SyncSource[] {
  const logs: string[] = [];
  for (const given of paths) {
    const target = path.resolve(given);
    if (!existsSync(target)) throw new SyncPathError(given, "no such file or directory");
    if (statSync(target).isFile()) {
      if (!target.endsWith(".wandb")) throw new SyncPathError(given, "not a .wandb transaction log");
      logs.push(target);
      continue;
    }
    const direct = logsInRunDir(target);
    const found = direct.length > 0 ? direct : logsInWandbDir(target);
    if (found.length === 0) throw new SyncPathError(given, "no run-*.wandb log in it or in run directories below it");
    logs.push(...found);
  }
  return [...new Set(logs)].map((logPath) => ({ logPath, runDir: path.dirname(logPath), alreadySynced: isSynced(logPath) }));
}
