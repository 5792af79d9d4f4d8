/**
 * Which process is writing a run's transaction log: `run-<id>.wandb.writer` beside the log holds the
 * writer's pid and host from the moment the log is created until it is closed. A sync uses it to
 * leave alone a run still in progress (its log has no exit record yet because the run is not over),
 * rather than uploading it as a failed run and marking it synced. A writer killed before closing
 * leaves the file behind; its process is gone, so the run reads as cut off, as before.
 */
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { isLaterProcess, OWN_START_MS } from "./process-start.js";

/** Logs this process has open: a mark naming this process's pid for another log was left by an earlier process with that pid. */
const openHere: Set<string> = ((globalThis as { [key: symbol]: Set<string> | undefined })[Symbol.for("wbflow.logWriter.openHere")] ??=
  new Set<string>()); // shared by every copy of this module in the process

function markPath(logPath: string): string {
  return `${logPath}.writer`;
}

/** Records this process as the writer of `logPath`. */
export function markLogWriter(logPath: string): void {
  openHere.add(path.resolve(logPath));
  writeFileSync(markPath(logPath), JSON.stringify({ pid: process.pid, host: os.hostname(), ...(OWN_START_MS !== undefined ? { started: OWN_START_MS } : {}) }));
}

/** Removes the writer mark (the log is closed). Safe to call twice. */
export function clearLogWriter(logPath: string): void {
  rmSync(markPath(logPath), { force: true });
  openHere.delete(path.resolve(logPath));
}

/**
 * The live process still writing `logPath` ("process N on host"), or undefined when none is known
 * to be: no mark, an unreadable one, a writer that is gone, or one on another host (not checkable).
 */
export function liveLogWriter(logPath: string): string | undefined {
  let owner: { pid?: unknown; host?: unknown; started?: unknown };
  try {
    owner = JSON.parse(readFileSync(markPath(logPath), "utf8")) as typeof owner;
  } catch {
    return undefined;
  }
  if (typeof owner?.pid !== "number" || owner.host !== os.hostname()) return undefined;
  if (owner.pid === process.pid) return openHere.has(path.resolve(logPath)) ? `this process (${owner.pid})` : undefined;
  try {
    process.kill(owner.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ESRCH") return undefined;
  }
  if (isLaterProcess(owner.pid, owner.started)) return undefined; // the writer is gone; its pid was reused
  return `process ${owner.pid} on ${owner.host}`;
}
