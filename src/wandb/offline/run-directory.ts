/**
 * The on-disk home of one run, in W&B's layout (reference §5.1):
 * `<wandb_dir>/offline-run-YYYYMMDD_HHMMSS-<id>/` (or `run-…` for runs also sent online) holding
 * `run-<id>.wandb` and `files/`. The timestamp is the start time in local time, as W&B formats it.
 */
import { randomUUID } from "node:crypto";
import { mkdirSync, renameSync, rmSync, symlinkSync } from "node:fs";
import path from "node:path";

/** Raised when the directory for a run already exists (same id started in the same second). */
export class RunDirectoryExistsError extends Error {
  constructor(dir: string) {
    super(`Run directory ${dir} already exists: a run with this id was started in the same second. Use another run id.`);
    this.name = "RunDirectoryExistsError";
  }
}

export interface RunDirectory {
  runDir: string;
  filesDir: string;
  logPath: string;
}

const pad = (n: number): string => String(n).padStart(2, "0");

/** `YYYYMMDD_HHMMSS` of `ms` in local time. */
export function runDirTimestamp(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}${pad(d.getMonth() + 1)}${pad(d.getDate())}_${pad(d.getHours())}${pad(d.getMinutes())}${pad(d.getSeconds())}`;
}

/** Creates the run directory and its `files/` folder. */
export function createRunDirectory(wandbDir: string, runId: string, startMs: number, offline: boolean): RunDirectory {
  mkdirSync(wandbDir, { recursive: true });
  const runDir = path.join(wandbDir, `${offline ? "offline-run" : "run"}-${runDirTimestamp(startMs)}-${runId}`);
  try {
    mkdirSync(runDir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") throw new RunDirectoryExistsError(runDir);
    throw error;
  }
  const filesDir = path.join(runDir, "files");
  mkdirSync(filesDir);
  pointLatestRun(wandbDir, runDir);
  return { runDir, filesDir, logPath: path.join(runDir, `run-${runId}.wandb`) };
}

/** Moves `<wandb_dir>/latest-run` to `runDir` atomically (a new link renamed over the old one). */
function pointLatestRun(wandbDir: string, runDir: string): void {
  const temp = path.join(wandbDir, `.latest-run-${process.pid}-${randomUUID()}`);
  try {
    symlinkSync(path.basename(runDir), temp);
    renameSync(temp, path.join(wandbDir, "latest-run"));
  } catch (error) {
    // Only a convenience link: where links are not allowed (EPERM on some Windows setups) runs go on.
    rmSync(temp, { force: true });
    if ((error as NodeJS.ErrnoException).code !== "EPERM") throw error;
  }
}
