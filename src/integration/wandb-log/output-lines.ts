/**
 * The short lines `@wandb_log` prints while a flow runs: one per used and per logged artifact, one per
 * skipped attribute, one per task run. Nothing else, so a notebook cell stays readable.
 */
import path from "node:path";

/** Bytes as a short human size: `812 B`, `4.1 kB`, `12.3 MB`. */
export function formatSize(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  const units = ["kB", "MB", "GB", "TB"];
  let value = bytes / 1000;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

/** A version as the lines show it. */
export interface VersionFacts {
  name: string;
  type: string;
  version: string;
  size: number;
}

export function usedLine(step: string, version: VersionFacts, attribute: string): string {
  const from = attribute === version.name ? "" : ` for ${attribute}`;
  return `wandb: ${step} used ${version.name}:${version.version} (${version.type}, ${formatSize(version.size)})${from}`;
}

/**
 * A logged version. `localOnline`: the run is online but the server gave no number (it did not
 * answer in time), so the line says `vN` is this machine's number, not yet W&B's.
 */
export function loggedLine(step: string, version: VersionFacts & { deduplicated: boolean }, attribute: string, localOnline = false): string {
  const from = attribute === version.name ? "" : ` from ${attribute}`;
  const state = (version.deduplicated ? ", unchanged" : "") + (localOnline ? ", local number: W&B numbers it at sync" : "");
  return `wandb: ${step} logged ${version.name}:${version.version} (${version.type}, ${formatSize(version.size)}${state})${from}`;
}

export function skippedLine(step: string, attribute: string, typeName: string, reason: string): string {
  return `wandb: ${step} did not log ${attribute} (${typeName}): ${reason}`;
}

/** The task's run: its link online, its directory offline (relative to the working directory when inside it). */
export function runLine(pathspec: string, run: { id: string; dir: string; url?: string }, exitCode: number): string {
  const where = run.url ?? `offline in ${shortPath(run.dir)}`;
  const state = exitCode === 0 ? "" : " (failed)";
  return `wandb: ${pathspec} -> run ${run.id}${state}, ${where}`;
}

function shortPath(dir: string): string {
  const relative = path.relative(process.cwd(), dir);
  return relative && !relative.startsWith("..") && !path.isAbsolute(relative) ? relative : dir;
}
