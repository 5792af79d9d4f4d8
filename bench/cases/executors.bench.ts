/**
 * Executors: the `processes` executor against in-process on the same flow, in one run.
 * - an 8-way foreach of a ~0.5 s CPU-bound step: wall time (aim: speed-up ≥ 0.8 × cores);
 * - a 1000-split foreach of trivial steps: per-task overhead (aim < 3 ms/task).
 * The flows live in bench/fixtures/executor-flows.ts and import `wbflow` (the build: `npm run build` first),
 * the copy the workers run.
 */
import { availableParallelism, tmpdir } from "node:os";
import { mkdtemp, rm } from "node:fs/promises";
import path from "node:path";
import { Datastore } from "wbflow";
import { burn, CpuForeachBench, TrivialForeachBench } from "../fixtures/executor-flows.js";
import { timeMs, type BenchCase } from "../harness.js";

const CORES = availableParallelism();
const CPU_SPLITS = 8;
const TRIVIAL_SPLITS = 1000;
let root = "";
let iterations = 0;

/** Iterations of `burn` that take about `ms` here and now. */
function calibrate(ms: number): number {
  const probe = 2_000_000;
  const elapsed = Math.max(1, timeMsSync(() => burn(probe)));
  return Math.round((probe * ms) / elapsed);
}

function timeMsSync(work: () => unknown): number {
  const start = performance.now();
  work();
  return performance.now() - start;
}

async function run(flow: typeof CpuForeachBench | typeof TrivialForeachBench, params: Record<string, unknown>, executor: "in-process" | "processes", maxWorkers: number): Promise<number> {
  const datastore = new Datastore({ root: await mkdtemp(path.join(root, "run-")) });
  return timeMs(() => flow.run(params, { datastore, executor, maxWorkers, maxNumSplits: TRIVIAL_SPLITS }));
}

async function setup(): Promise<void> {
  root = await mkdtemp(path.join(tmpdir(), "wbflow-bench-exec-"));
  iterations = calibrate(500);
}

async function teardown(): Promise<void> {
  await rm(root, { recursive: true, force: true });
}

export const cases: BenchCase[] = [
  {
    name: `executors: ${CPU_SPLITS}-way foreach of a ~0.5 s CPU-bound step (${CORES} cores)`,
    unit: "s",
    aim: `ratio ≤ ${(1 / (0.8 * CORES)).toFixed(2)} (speed-up ≥ 0.8 × cores)`,
    repeats: 3,
    setup,
    teardown,
    baseline: {
      label: "in-process",
      run: async () => (await run(CpuForeachBench, { splits: CPU_SPLITS, iterations }, "in-process", CPU_SPLITS)) / 1000,
    },
    measured: {
      label: `processes, ${CORES} workers`,
      run: async () => (await run(CpuForeachBench, { splits: CPU_SPLITS, iterations }, "processes", CORES)) / 1000,
    },
  },
  {
    name: `executors: ${TRIVIAL_SPLITS}-split foreach of trivial steps, per-task time`,
    unit: "ms/task",
    aim: "processes < 3 ms/task",
    repeats: 3,
    setup,
    teardown,
    baseline: {
      label: "in-process",
      run: async () => (await run(TrivialForeachBench, { splits: TRIVIAL_SPLITS }, "in-process", 16)) / (TRIVIAL_SPLITS + 3),
    },
    measured: {
      label: `processes, ${CORES} workers`,
      run: async () => (await run(TrivialForeachBench, { splits: TRIVIAL_SPLITS }, "processes", CORES)) / (TRIVIAL_SPLITS + 3),
    },
  },
];
