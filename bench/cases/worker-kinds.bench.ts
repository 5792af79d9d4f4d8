/**
 * Worker processes (child_process.fork, what the `processes` executor uses) against worker threads, for
 * the two costs that differ between them (the task itself runs the same code either way):
 * - start-up: start a worker that loads wbflow's worker side and imports the flow's module, until it is ready;
 * - round trip of a task-sized message (a request naming 8 parent tasks with their artifact records) and back.
 * The worker is bench/fixtures/startup-worker.mjs (needs `npm run build`).
 */
import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { timeMs, type BenchCase } from "../harness.js";

const WORKER = fileURLToPath(new URL("../fixtures/startup-worker.mjs", import.meta.url));
const FLOW = { module: fileURLToPath(new URL("../fixtures/executor-flows.ts", import.meta.url)), className: "TrivialForeachBench" };
const ROUND_TRIPS = 500;

interface Endpoint {
  send(message: unknown): void;
  next(): Promise<unknown>;
  end(): Promise<void>;
}

function endpointOf(emitter: ChildProcess | Worker, send: (message: unknown) => void, end: () => Promise<void>): Endpoint {
  return { send, next: () => new Promise((resolve) => emitter.once("message", resolve)), end };
}

function forked(): Endpoint {
  const child = fork(WORKER, [JSON.stringify(FLOW)], { stdio: ["ignore", "ignore", "inherit", "ipc"], serialization: "advanced" });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return endpointOf(child, (m) => child.send(m as object), async () => {
    child.kill("SIGKILL");
    await exited;
  });
}

function threaded(): Endpoint {
  const worker = new Worker(WORKER, { workerData: FLOW });
  return endpointOf(worker, (m) => worker.postMessage(m), async () => {
    await worker.terminate();
  });
}

/** A request as the scheduler sends for a join of 8 splits, each parent with 10 artifact records. */
function taskSizedMessage(): object {
  const record = (name: string) => ({ name, sha: "ab".repeat(32), size: 1234, type: "v8", producedBy: "Flow/1/work/12" });
  const records = Array.from({ length: 8 }, () => Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`a${i}`, record(`a${i}`)])));
  return {
    type: "run",
    id: 1,
    request: {
      version: 1,
      flow: FLOW,
      datastoreRoot: "/tmp/store",
      run: { runId: "1733", userName: "bench", tags: [], maxNumSplits: 100 },
      task: { stepName: "join", taskId: "99", attempt: 0, parents: records.map((_, i) => ({ flowName: "F", runId: "1733", stepName: "work", taskId: String(i) })), parentRecords: records, foreachStack: [], branchStack: [], iterationStack: [] },
      env: { WANDB_MODE: "offline" },
    },
  };
}

async function startUpMs(start: () => Endpoint): Promise<number> {
  let endpoint: Endpoint | undefined;
  const ms = await timeMs(async () => {
    endpoint = start();
    await endpoint.next();
  });
  await endpoint!.end();
  return ms;
}

async function roundTripUs(start: () => Endpoint): Promise<number> {
  const endpoint = start();
  await endpoint.next();
  const message = taskSizedMessage();
  const ms = await timeMs(async () => {
    for (let i = 0; i < ROUND_TRIPS; i++) {
      endpoint.send(message);
      await endpoint.next();
    }
  });
  await endpoint.end();
  return (ms * 1000) / ROUND_TRIPS;
}

export const cases: BenchCase[] = [
  {
    name: "worker kinds: start-up until wbflow and the flow are imported",
    unit: "ms",
    aim: "threads only if clearly better (isolation: see docs/executors.md)",
    repeats: 5,
    baseline: { label: "child_process.fork", run: () => startUpMs(forked) },
    measured: { label: "worker_threads", run: () => startUpMs(threaded) },
  },
  {
    name: `worker kinds: round trip of a task-sized message (mean of ${ROUND_TRIPS})`,
    unit: "µs",
    aim: "threads only if clearly better",
    repeats: 5,
    baseline: { label: "child_process.fork (advanced serialization)", run: () => roundTripUs(forked) },
    measured: { label: "worker_threads", run: () => roundTripUs(threaded) },
  },
];
