/**
 * When a process started, to tell a live process from a later one that got the same pid (pids are
 * reused: after a reboot, in a restarted container). Read from Linux's /proc; elsewhere unknown, and
 * callers then trust the pid alone, as before.
 */
import { readFileSync } from "node:fs";

/** Clock ticks per second of /proc's times (USER_HZ: 100 on every Linux this runs on). */
const TICKS_PER_SECOND = 100;

function bootTimeMs(): number | undefined {
  try {
    const match = /^btime (\d+)$/m.exec(readFileSync("/proc/stat", "utf8"));
    return match ? Number(match[1]) * 1000 : undefined;
  } catch {
    return undefined;
  }
}

/** When process `pid` started (ms since the epoch, to about 10 ms), or undefined where not readable. */
export function processStartMs(pid: number): number | undefined {
  const boot = bootTimeMs();
  if (boot === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name (which may hold spaces and parentheses): state is field 3, starttime field 22.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ticks = Number(fields[22 - 3]);
    return Number.isFinite(ticks) ? boot + (ticks * 1000) / TICKS_PER_SECOND : undefined;
  } catch {
    return undefined;
  }
}

/** This process's start time as `processStartMs` reads it (so a comparison uses one clock), if known. */
export const OWN_START_MS = processStartMs(process.pid);

/**
 * True when the live process `pid` is known to be another one than the process that recorded
 * `recordedStartMs` for it (started more than a second apart); false when unknown.
 */
export function isLaterProcess(pid: number, recordedStartMs: unknown): boolean {
  if (typeof recordedStartMs !== "number") return false;
  const now = processStartMs(pid);
  return now !== undefined && Math.abs(now - recordedStartMs) > 1_000;
}
