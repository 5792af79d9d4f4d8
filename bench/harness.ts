import { readFileSync } from "node:fs";

/**
 * A benchmark case compares a measured implementation against a baseline measured in the same
 * run on the same machine, so the ratio means something even on a shared, noisy host.
 */
export interface BenchSide {
  /** What this side is, as printed in the table, e.g. "md5sum" or "wbflow hashFile". */
  label: string;
  /** Runs the work once and returns the value to report, in the case's unit. */
  run(): Promise<number>;
}

export interface BenchCase {
  /** Unique name; `npm run bench -- <substring>` selects cases by it. */
  name: string;
  /** Unit of both values, e.g. "ms/task", "MiB/s", "MiB peak". */
  unit: string;
  /** True when a bigger value is better (throughput); ratios are then measured / baseline. */
  higherIsBetter?: boolean;
  /** The goal, as the issue states it, e.g. "ratio ≥ 0.9". Printed beside the result. */
  aim?: string;
  baseline: BenchSide;
  measured: BenchSide;
  /** Number of alternating repetitions; the median of each side is reported. Default 5. */
  repeats?: number;
  /** Prepares data once before the repetitions (e.g. writes a 1 GiB file). */
  setup?(): Promise<void>;
  /** Removes what setup made. */
  teardown?(): Promise<void>;
}

export interface BenchResult {
  name: string;
  unit: string;
  baselineLabel: string;
  measuredLabel: string;
  baseline: number;
  measured: number;
  /** measured / baseline. */
  ratio: number;
  aim?: string;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Runs one case: baseline and measured alternate so drift in machine load hits both sides. */
export async function runCase(benchCase: BenchCase): Promise<BenchResult> {
  const repeats = benchCase.repeats ?? 5;
  await benchCase.setup?.();
  try {
    const baseline: number[] = [];
    const measured: number[] = [];
    for (let i = 0; i < repeats; i++) {
      baseline.push(await benchCase.baseline.run());
      measured.push(await benchCase.measured.run());
    }
    const b = median(baseline);
    const m = median(measured);
    return {
      name: benchCase.name,
      unit: benchCase.unit,
      baselineLabel: benchCase.baseline.label,
      measuredLabel: benchCase.measured.label,
      baseline: b,
      measured: m,
      ratio: b === 0 ? Number.NaN : m / b,
      ...(benchCase.aim === undefined ? {} : { aim: benchCase.aim }),
    };
  } finally {
    await benchCase.teardown?.();
  }
}

/**
 * Peak resident memory (MiB) of this process so far; memory cases run in a child process.
 * Reads VmHWM from /proc: Linux carries `maxRSS` (getrusage) across exec, so in a child it would
 * report the parent's peak.
 */
export function peakRssMiB(): number {
  try {
    const kib = /VmHWM:\s+(\d+) kB/.exec(readFileSync("/proc/self/status", "utf8"))?.[1];
    if (kib !== undefined) return Number(kib) / 1024;
  } catch {
    // Not Linux: fall back to getrusage, which is right where exec does not carry the peak.
  }
  return process.resourceUsage().maxRSS / 1024;
}

/** Wall time of `work` in milliseconds. */
export async function timeMs(work: () => Promise<unknown> | unknown): Promise<number> {
  const start = process.hrtime.bigint();
  await work();
  return Number(process.hrtime.bigint() - start) / 1e6;
}
