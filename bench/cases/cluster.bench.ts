/**
 * The bullmq executor on this machine: a real redis-server and two real `wbflow worker` processes
 * (the built dist/, as deployed). Two cases:
 *
 * - 200-task foreach of trivial steps through 2 workers (3 tasks at a time each: more children than
 *   cores only adds switching): time per task through the queue, against the same flow run
 *   in-process (the per-task overhead is the difference; aim < 10 ms).
 * - CPU-bound foreach through 2 worker processes (concurrency 1 each), against the `processes`
 *   executor with 2 workers (aim: within 10%).
 *
 * Run `npm run build && npm run bench -- cluster`.
 */
import path from "node:path";
import { readFileSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { flowProject, killWorkers, startWorker, type WorkerProcess } from "../../test/support/cluster.js";
import { startRedisServer, type RedisServer } from "../../test/support/redis-server.js";
import { timeMs, type BenchCase } from "../harness.js";
import { calibrate } from "../fixtures/executor-flows.js";

const TRIVIAL_TASKS = 200;
const CPU_TASKS = 8;

const EXECUTOR_FLOWS = fileURLToPath(new URL("../fixtures/executor-flows.ts", import.meta.url));
let iterations = 0;

interface Setup {
  redis: RedisServer;
  project: string;
  workers: WorkerProcess[];
  flows: Record<string, { run(params: object, options: object): Promise<{ successful: boolean }> }>;
  Datastore: new (options: { root: string }) => unknown;
}

let setup: Setup | undefined;

async function start(): Promise<void> {
  const redis = await startRedisServer({ persistent: true });
  // The executors bench's flows, in a project whose "wbflow" is the built package the workers load.
  const project = flowProject({ "flows.ts": readFileSync(EXECUTOR_FLOWS, "utf8") });
  iterations = calibrate(400);
  const env = { WBFLOW_REDIS_URL: redis.url };
  const workers = [
    ...[0, 1].map(() => startWorker(project, ["--queue", "trivial", "--concurrency", "3"], env)),
    ...[0, 1].map(() => startWorker(project, ["--queue", "cpu", "--concurrency", "1"], env)),
  ];
  await Promise.all(workers.map((worker) => worker.waitFor(/taking tasks from queue/)));
  // The flows and the engine that runs them are the built package, as the workers load it.
  const flows = (await import(pathToFileURL(path.join(project, "flows.ts")).href)) as Setup["flows"];
  const { Datastore } = (await import(pathToFileURL(path.join(project, "node_modules", "wbflow", "dist", "index.js")).href)) as {
    Datastore: Setup["Datastore"];
  };
  setup = { redis, project, workers, flows, Datastore };
}

async function stop(): Promise<void> {
  if (!setup) return;
  await killWorkers(setup.workers);
  await setup.redis.close();
  setup = undefined;
}

async function msPerTask(flowName: string, params: { splits: number; iterations?: number }, options: Record<string, unknown>): Promise<number> {
  const { flows, project, Datastore } = setup!;
  const datastore = new Datastore({ root: path.join(project, "store") });
  const elapsed = await timeMs(async () => {
    const run = await flows[flowName]!.run(params, { datastore, maxWorkers: 16, maxNumSplits: 1000, ...options });
    if (!run.successful) throw new Error(`${flowName} failed`);
  });
  return elapsed / (params.splits + 3);
}

const bullmq = (queue: string) => ({ executor: "bullmq", redis: setup!.redis.url, queue });

export const cases: BenchCase[] = [
  {
    name: "cluster: 200-task foreach of trivial steps, time per task",
    unit: "ms/task",
    aim: "bullmq per-task overhead (measured - baseline) < 10 ms",
    repeats: 3,
    setup: start,
    teardown: stop,
    baseline: { label: "in-process executor", run: () => msPerTask("TrivialForeachBench", { splits: TRIVIAL_TASKS }, {}) },
    measured: { label: "bullmq, 2 workers x 3", run: () => msPerTask("TrivialForeachBench", { splits: TRIVIAL_TASKS }, bullmq("trivial")) },
  },
  {
    name: "cluster: CPU-bound 8-task foreach, time per task",
    unit: "ms/task",
    aim: "bullmq within 10% of processes (ratio <= 1.1)",
    repeats: 3,
    setup: start,
    teardown: stop,
    baseline: { label: "processes executor, 2 workers", run: () => msPerTask("CpuForeachBench", { splits: CPU_TASKS, iterations }, { executor: "processes", maxWorkers: 2 }) },
    measured: { label: "bullmq, 2 worker processes x 1", run: () => msPerTask("CpuForeachBench", { splits: CPU_TASKS, iterations }, bullmq("cpu")) },
  },
];
