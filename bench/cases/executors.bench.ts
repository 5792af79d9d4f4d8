/**
 * Executors: the `processes` executor against in-process on the same flow, in one run.
 * - an 8-way foreach of a ~0.5 s CPU-bound step: wall time (aim: speed-up ≥ 0.8 × cores), measured
 *   cold (the first run of a process: its workers start) and warm (a later run: the pool's workers
 *   are already up and have imported the flow);
 * - a 1000-split foreach of trivial steps: per-task time (aim < 3 ms/task), cold and warm;
 * - CPU time (this process plus its workers) of the CPU-bound foreach: on a host where other sessions
 *   compete for the cores, Linux's autogroup scheduling gives this session about the same share
 *   whatever the number of its processes, so the wall ratio there says little; this ratio is the
 *   executor's overhead, and on an idle machine the wall ratio is about it divided by the cores;
 * - peak memory of that run: in-process, the process's peak; processes, the process's peak plus each
 *   worker's (VmHWM), measured in a fresh Node process (bench/fixtures/pool-memory-driver.ts).
 * The flows live in bench/fixtures/executor-flows.ts and import `wbflow` (the build: `npm run build` first),
 * the copy the workers run.
 */
import { execFile } from "node:child_process";
import { availableParallelism, tmpdir } from "node:os";
import { mkdtemp, rm } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { closeWorkerPool, Datastore } from "wbflow";
import { calibrate, CpuForeachBench, TrivialForeachBench } from "../fixtures/executor-flows.js";
import { cpuSecondsWithWorkers } from "../fixtures/worker-processes.js";
import { timeMs, type BenchCase } from "../harness.js";

const CORES = availableParallelism();
const CPU_SPLITS = 8;
const TRIVIAL_SPLITS = 1000;
const MEMORY_DRIVER = fileURLToPath(new URL("../fixtures/pool-memory-driver.ts", import.meta.url));
let root = "";
let iterations = 0;

type BenchFlow = typeof CpuForeachBench | typeof TrivialForeachBench;
type Mode = "in-process" | "processes cold" | "processes warm";

/** Wall time (ms) of one run; "cold" ends the pool's workers first, "warm" keeps those of the previous run. */
async function run(flow: BenchFlow, params: Record<string, unknown>, mode: Mode): Promise<number> {
  const datastore = new Datastore({ root: await mkdtemp(path.join(root, "run-")) });
  if (mode === "processes cold") await closeWorkerPool();
  const executor = mode === "in-process" ? "in-process" : "processes";
  const maxWorkers = mode === "in-process" ? (flow === CpuForeachBench ? CPU_SPLITS : 16) : CORES;
  return timeMs(() => flow.run(params, { datastore, executor, maxWorkers, maxNumSplits: TRIVIAL_SPLITS }));
}

async function setup(): Promise<void> {
  root = await mkdtemp(path.join(tmpdir(), "wbflow-bench-exec-"));
  iterations = calibrate(500);
}

/** Setup, then one processes run of each flow so the pool is warm before the first measurement. */
async function warmSetup(): Promise<void> {
  await setup();
  await run(CpuForeachBench, { splits: CORES, iterations: 1 }, "processes warm");
  await run(TrivialForeachBench, { splits: CORES }, "processes warm");
}

async function teardown(): Promise<void> {
  await closeWorkerPool();
  await rm(root, { recursive: true, force: true });
}

function cpuCase(mode: "processes cold" | "processes warm"): BenchCase {
  return {
    name: `executors: ${CPU_SPLITS}-way foreach of a ~0.5 s CPU-bound step (${CORES} cores), ${mode.split(" ")[1]!} pool`,
    unit: "s",
    aim: `ratio ≤ ${(1 / (0.8 * CORES)).toFixed(2)} (speed-up ≥ 0.8 × cores)`,
    repeats: 3,
    setup: mode === "processes warm" ? warmSetup : setup,
    teardown,
    baseline: { label: "in-process", run: async () => (await run(CpuForeachBench, { splits: CPU_SPLITS, iterations }, "in-process")) / 1000 },
    measured: { label: `${mode}, ${CORES} workers`, run: async () => (await run(CpuForeachBench, { splits: CPU_SPLITS, iterations }, mode)) / 1000 },
  };
}

function trivialCase(mode: "processes cold" | "processes warm"): BenchCase {
  const perTask = async (m: Mode) => (await run(TrivialForeachBench, { splits: TRIVIAL_SPLITS }, m)) / (TRIVIAL_SPLITS + 3);
  return {
    name: `executors: ${TRIVIAL_SPLITS}-split foreach of trivial steps, per-task time, ${mode.split(" ")[1]!} pool`,
    unit: "ms/task",
    aim: "processes < 3 ms/task",
    repeats: 3,
    setup: mode === "processes warm" ? warmSetup : setup,
    teardown,
    baseline: { label: "in-process", run: () => perTask("in-process") },
    measured: { label: `${mode}, ${CORES} workers`, run: () => perTask(mode) },
  };
}

function cpuTimeCase(mode: "processes cold" | "processes warm"): BenchCase {
  const cpuSeconds = async (m: Mode) => {
    const before = cpuSecondsWithWorkers();
    await run(CpuForeachBench, { splits: CPU_SPLITS, iterations }, m);
    return cpuSecondsWithWorkers() - before;
  };
  return {
    name: `executors: CPU time of the ${CPU_SPLITS}-way CPU-bound foreach (process + workers), ${mode.split(" ")[1]!} pool`,
    unit: "cpu s",
    aim: "ratio ≤ 1.25 (idle-machine speed-up ≈ cores ÷ ratio ≥ 0.8 × cores)",
    repeats: 3,
    setup: mode === "processes warm" ? warmSetup : setup,
    teardown,
    baseline: { label: "in-process", run: () => cpuSeconds("in-process") },
    measured: { label: `${mode}, ${CORES} workers`, run: () => cpuSeconds(mode) },
  };
}

/** Peak memory (MiB) of a fresh process running the trivial foreach, plus its workers'. */
async function peakMiB(executor: "in-process" | "processes"): Promise<number> {
  const store = await mkdtemp(path.join(root, "memory-"));
  const workers = executor === "processes" ? CORES : 16;
  const args = ["--import", "tsx", MEMORY_DRIVER, store, executor, String(workers), String(TRIVIAL_SPLITS)];
  const { stdout } = await promisify(execFile)(process.execPath, args, { cwd: fileURLToPath(new URL("../..", import.meta.url)) });
  const peak = /PEAK_MIB (\S+)/.exec(stdout)?.[1];
  if (peak === undefined) throw new Error(`pool-memory-driver printed no PEAK_MIB:\n${stdout}`);
  return Number(peak);
}

export const cases: BenchCase[] = [
  cpuCase("processes cold"),
  cpuCase("processes warm"),
  cpuTimeCase("processes cold"),
  cpuTimeCase("processes warm"),
  trivialCase("processes cold"),
  trivialCase("processes warm"),
  {
    name: `executors: peak memory of a ${TRIVIAL_SPLITS}-split trivial foreach (process + workers' VmHWM)`,
    unit: "MiB peak",
    repeats: 3,
    setup,
    teardown,
    baseline: { label: "in-process", run: () => peakMiB("in-process") },
    measured: { label: `processes, ${CORES} workers`, run: () => peakMiB("processes") },
  },
];
