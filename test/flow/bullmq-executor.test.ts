/**
 * The bullmq executor for real: a redis-server, two or more `wbflow worker` processes and a runner
 * process, on one machine with a shared datastore folder. The faults are done for real: a worker
 * SIGKILLed mid-task, redis-server stopped and started mid-run, the runner SIGKILLed mid-run.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { Queue } from "bullmq";
import { afterEach, describe, expect, it } from "vitest";
import { Task } from "../../src/flow/client/task.js";
import { Datastore } from "../../src/flow/datastore/datastore.js";
import { readRunCode } from "../../src/flow/datastore/code-package/code-package.js";
import { flowProject, killWorkers, REPO, WBFLOW_BIN, startRunner, startWorker, type RunnerOutcome, type WorkerProcess } from "../support/cluster.js";
import { startRedisServer, type RedisServer, type RedisServerOptions } from "../support/redis-server.js";

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/**
 * A foreach whose tasks square their input through a local import, and note which worker ran them
 * (a worker runs each task in a child process of its own: the worker is the child's parent).
 */
const SQUARES_FLOW = `import { FlowSpec, Parameter, current, retry, step, type JoinInputs } from "wbflow";
import { appendFileSync } from "node:fs";
import { square } from "./lib/square.js";

export class SquaresFlow extends FlowSpec {
  n = Parameter("n", { default: 6 });
  sleepMs = Parameter("sleep_ms", { default: 0 });
  failUntil = Parameter("fail_until", { default: 0, help: "work tasks fail attempts below this" });
  busyMs = Parameter("busy_ms", { default: 0, help: "work tasks spin synchronously this long" });
  items!: number[];
  value!: number;
  pid!: number;
  total!: number;
  pids!: number[];

  @step start() {
    this.items = Array.from({ length: this.n }, (_, i) => i + 1);
    this.next(this.work, { foreach: "items" });
  }

  @retry({ times: 2 })
  @step async work() {
    this.pid = process.ppid;
    appendFileSync(process.env.MARKS_FILE!, \`\${current.taskId} \${current.retryCount} \${process.ppid} start\\n\`);
    await new Promise((resolve) => setTimeout(resolve, this.sleepMs));
    for (const end = Date.now() + this.busyMs; Date.now() < end; );
    if (current.retryCount! < this.failUntil) throw new Error(\`planned failure of attempt \${current.retryCount}\`);
    this.value = square(this.input as number);
    console.log(\`squared \${this.input} on a worker\`);
    this.next(this.join);
  }

  @step join(inputs: JoinInputs) {
    this.total = inputs.reduce((sum, input) => sum + (input.value as number), 0);
    this.pids = [...new Set(inputs.map((input) => input.pid as number))].sort();
    this.next(this.end);
  }

  @step end() {}
}
`;

const SQUARE_LIB = `export function square(x: number): number {\n  return x * x;\n}\n`;

interface Cluster {
  redis: RedisServer;
  project: string;
  store: string;
  marks: string;
  workers: WorkerProcess[];
  env: NodeJS.ProcessEnv;
  addWorker(extra?: string[]): Promise<WorkerProcess>;
}

async function cluster(options: { workers?: number; concurrency?: number; redis?: RedisServerOptions; files?: Record<string, string> } = {}): Promise<Cluster> {
  const redis = await startRedisServer({ persistent: true, ...options.redis });
  cleanups.push(() => redis.close());
  const project = flowProject(options.files ?? { "flow.ts": SQUARES_FLOW, "lib/square.ts": SQUARE_LIB });
  const marks = path.join(project, "marks.txt");
  const env = { WBFLOW_REDIS_URL: redis.url, MARKS_FILE: marks };
  const workers: WorkerProcess[] = [];
  cleanups.push(() => killWorkers(workers));
  const addWorker = async (extra: string[] = []) => {
    const worker = startWorker(project, ["--concurrency", String(options.concurrency ?? 2), "--lock-duration", "1000", ...extra], env);
    workers.push(worker);
    await worker.waitFor(/taking tasks from queue/);
    return worker;
  };
  for (let i = 0; i < (options.workers ?? 2); i++) await addWorker();
  return { redis, project, store: path.join(project, "store"), marks, workers, env, addWorker };
}

function run(c: Cluster, params: Record<string, unknown> = {}, options: Record<string, unknown> = {}) {
  const runner = startRunner(c.project, { file: path.join(c.project, "flow.ts"), flowName: "SquaresFlow", mode: "run", store: c.store, params, options }, c.env);
  cleanups.push(async () => {
    runner.child.kill("SIGKILL");
    await runner.done;
  });
  return runner;
}

function resume(c: Cluster, flowName = "SquaresFlow") {
  const runner = startRunner(c.project, { file: path.join(c.project, "flow.ts"), flowName, mode: "resume", store: c.store }, c.env);
  cleanups.push(async () => {
    runner.child.kill("SIGKILL");
    await runner.done;
  });
  return runner;
}

function expectSuccess(outcome: RunnerOutcome): string {
  expect(outcome.result, outcome.output).toMatchObject({ successful: true });
  return outcome.result!.runId;
}

async function artifact(store: string, runId: string, stepName: string, name: string): Promise<unknown> {
  const datastore = new Datastore({ root: store });
  const taskId = (await datastore.listTasks("SquaresFlow", runId, stepName))[0]!;
  const task = await datastore.readTask({ flowName: "SquaresFlow", runId, stepName, taskId });
  return datastore.getValue("SquaresFlow", task.artifacts[name]!);
}

/** Every task's user artifacts (not the engine's `_` ones) by `step[foreach index]`, decoded. */
async function userArtifacts(store: string, flowName: string, runId: string): Promise<Record<string, Record<string, unknown>>> {
  const datastore = new Datastore({ root: store });
  const all: Record<string, Record<string, unknown>> = {};
  for (const stepName of await datastore.listSteps(flowName, runId)) {
    if (stepName.startsWith("_")) continue;
    for (const taskId of await datastore.listTasks(flowName, runId, stepName)) {
      const task = await datastore.readTask({ flowName, runId, stepName, taskId });
      const values: Record<string, unknown> = {};
      for (const [name, record] of Object.entries(task.artifacts)) {
        if (!name.startsWith("_")) values[name] = await datastore.getValue(flowName, record);
      }
      all[`${stepName}[${String(task.metadata.pathspecIndex).split("/").pop()}]`] = values;
    }
  }
  return all;
}

/** Polls `probe` until it returns a value. */
async function until<T>(probe: () => T | undefined, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Pids of the live (not zombie) child processes of `parent`. */
function childrenOf(parent: number): number[] {
  return readdirSync("/proc")
    .filter((entry) => /^\d+$/.test(entry))
    .flatMap((entry) => {
      try {
        const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
        const [state, ppid] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
        return Number(ppid) === parent && state !== "Z" ? [Number(entry)] : [];
      } catch {
        return []; // gone
      }
    });
}

/** Lines of the marks file: "taskId attempt pid start". */
function marks(c: Cluster): Array<{ taskId: string; attempt: number; pid: number }> {
  if (!existsSync(c.marks)) return [];
  return readFileSync(c.marks, "utf8")
    .trim()
    .split("\n")
    .map((line) => line.split(" "))
    .map(([taskId, attempt, pid]) => ({ taskId: taskId!, attempt: Number(attempt), pid: Number(pid) }));
}

describe("bullmq executor", () => {
  it("runs a foreach on two worker processes, from the run's code package, with the same artifacts as in-process", async () => {
    const c = await cluster();
    const outcome = await run(c, { n: 8, sleep_ms: 50 }).done;
    const runId = expectSuccess(outcome);
    expect(await artifact(c.store, runId, "join", "total")).toBe([1, 2, 3, 4, 5, 6, 7, 8].reduce((s, x) => s + x * x, 0));
    // What the steps printed on the workers is printed by the runner, live, and kept in the task logs.
    for (let i = 1; i <= 8; i++) expect(outcome.output).toContain(`squared ${i} on a worker`);
    // Both workers ran tasks; neither is the runner.
    const pids = (await artifact(c.store, runId, "join", "pids")) as number[];
    expect(pids.sort()).toEqual(c.workers.map((w) => w.child.pid!).sort());
    // The run recorded its code; the workers unpacked exactly that package.
    const code = await readRunCode(new Datastore({ root: c.store }), "SquaresFlow", runId);
    expect(readdirSync(path.join(c.project, ".wbflow-code"))).toEqual([code!.sha]);
    expect(readFileSync(path.join(c.project, ".wbflow-code", code!.sha, "lib", "square.ts"), "utf8")).toBe(SQUARE_LIB);
  });

  it("a worker SIGKILLed mid-task: its job is recovered as stalled, the lost attempt is stored as failed and @retry runs the task again elsewhere; the run completes", async () => {
    const c = await cluster({ concurrency: 1 });
    const [victim, survivor] = c.workers as [WorkerProcess, WorkerProcess];
    const runner = run(c, { n: 4, sleep_ms: 1500 });
    // Killed while its step body runs (it has written its mark and sleeps).
    const killedTask = await until(() => marks(c).find((m) => m.pid === victim.child.pid)?.taskId);
    victim.child.kill("SIGKILL");
    const outcome = await runner.done;
    const runId = expectSuccess(outcome);
    expect(await artifact(c.store, runId, "join", "total")).toBe(1 + 4 + 9 + 16);
    expect(survivor.output()).toMatch(new RegExp(`\\[SquaresFlow/${runId}/work/${killedTask}\\] started \\(job .*, run 2 after a stalled worker\\)`));

    const datastore = new Datastore({ root: c.store });
    const key = { flowName: "SquaresFlow", runId, stepName: "work", taskId: killedTask };
    // The killed attempt is stored as failed (its worker was lost), as @retry's first use; the re-run is the next attempt.
    expect(await datastore.listAttempts(key)).toEqual([0, 1]);
    const lost = await new Task(`SquaresFlow/${runId}/work/${killedTask}`, { datastore, attempt: 0 }).exception();
    expect(lost?.type).toBe("WorkerLostError");
    expect(lost?.message).toContain(`Task SquaresFlow/${runId}/work/${killedTask} (attempt 0) failed: the wbflow worker running it stopped renewing its job`);
    const task = await datastore.readTask(key);
    expect(task.attempt).toBe(1);
    expect(await datastore.getValue("SquaresFlow", task.artifacts.pid!)).toBe(survivor.child.pid);
    const runsOfKilled = marks(c).filter((m) => m.taskId === killedTask);
    expect(runsOfKilled.map((m) => m.pid)).toEqual([victim.child.pid, survivor.child.pid]);
  });

  it("a worker SIGKILLed mid-task of a step without @retry: the task fails (a lost worker is a failure, as in-process) and is not run again", async () => {
    const c = await cluster({ concurrency: 1, files: { "flow.ts": SQUARES_FLOW.replace("@retry({ times: 2 })\n", ""), "lib/square.ts": SQUARE_LIB } });
    const [victim, survivor] = c.workers as [WorkerProcess, WorkerProcess];
    const runner = run(c, { n: 4, sleep_ms: 1500 });
    const killedTask = await until(() => marks(c).find((m) => m.pid === victim.child.pid)?.taskId);
    victim.child.kill("SIGKILL");
    const outcome = await runner.done;
    expect(outcome.result, outcome.output).toMatchObject({ successful: false });
    const runId = outcome.result!.runId as string;
    expect(outcome.result!.error).toContain(`Task SquaresFlow/${runId}/work/${killedTask} (attempt 0) failed: the wbflow worker running it stopped renewing its job`);
    const datastore = new Datastore({ root: c.store });
    const key = { flowName: "SquaresFlow", runId, stepName: "work", taskId: killedTask };
    expect(await datastore.listAttempts(key)).toEqual([0]);
    expect((await new Task(`SquaresFlow/${runId}/work/${killedTask}`, { datastore, attempt: 0 }).exception())?.type).toBe("WorkerLostError");
    expect(marks(c).filter((m) => m.taskId === killedTask)).toHaveLength(1); // no step body ran again
    expect(survivor.output()).toMatch(new RegExp(`\\[SquaresFlow/${runId}/work/${killedTask}\\] attempt 0 failed`));
  });

  it("a worker SIGKILLed while its child process is busy in synchronous code: the child ends too, it does not run on as an orphan", async () => {
    const c = await cluster({ workers: 1, concurrency: 1 });
    const [victim] = c.workers as [WorkerProcess];
    run(c, { n: 1, busy_ms: 120_000 });
    await until(() => marks(c).find((m) => m.pid === victim.child.pid));
    const children = childrenOf(victim.child.pid!);
    expect(children.length).toBeGreaterThan(0);
    victim.child.kill("SIGKILL");
    try {
      // The step alone would spin on for two minutes, then store its attempt for a job BullMQ gives to another worker.
      await until(() => (children.every((pid) => !existsSync(`/proc/${pid}`)) ? true : undefined), 15_000);
    } finally {
      for (const pid of children.filter((p) => existsSync(`/proc/${p}`))) process.kill(pid, "SIGKILL");
    }
  });

  it("a failed task stops the run as in-process: its jobs no worker took yet are taken back out of the queue, not run", async () => {
    const c = await cluster({ workers: 1, concurrency: 1, files: { "flow.ts": SQUARES_FLOW.replace("@retry({ times: 2 })\n", ""), "lib/square.ts": SQUARE_LIB } });
    // Every work task fails (after 500 ms); the run queues all six at once (maxWorkers 16) for the one worker.
    const outcome = await run(c, { n: 6, sleep_ms: 500, fail_until: 1 }).done;
    expect(outcome.result, outcome.output).toMatchObject({ successful: false });
    const runId = outcome.result!.runId as string;
    expect(outcome.result!.error).toContain("planned failure of attempt 0");
    const started = marks(c).length;
    expect(started).toBeLessThanOrEqual(2); // the failed one, and at most the one the worker took meanwhile
    const datastore = new Datastore({ root: c.store });
    const notRun: string[] = [];
    for (const taskId of await datastore.listTasks("SquaresFlow", runId, "work")) {
      const exception = await new Task(`SquaresFlow/${runId}/work/${taskId}`, { datastore }).exception();
      if (exception?.type === "TaskNotRunError") notRun.push(exception.message);
    }
    expect(notRun).toHaveLength(6 - started);
    expect(notRun[0]).toMatch(new RegExp(`^Task SquaresFlow/${runId}/work/\\d+ \\(attempt 0\\) was not run: the run had already failed \\(in task SquaresFlow/${runId}/work/\\d+\\) when its job, still waiting for a worker, was removed from queue wbflow\\. Resume the run to run it\\.$`));
    const queue = new Queue("wbflow", { connection: { url: c.redis.url } });
    try {
      expect(await queue.getWaitingCount()).toBe(0);
    } finally {
      await queue.close();
    }
  });

  it("a step that ends its process (process.exit(0), a kill) fails its task with an error saying so; @retry applies", async () => {
    const exitFlow = `import { FlowSpec, Parameter, current, retry, step } from "wbflow";
export class ExitFlow extends FlowSpec {
  how = Parameter("how", { default: "exit" });
  @retry({ times: 1 }) @step start() {
    if (current.retryCount === 0) {
      if (this.how === "exit") process.exit(0);
      process.kill(process.pid, "SIGKILL");
    }
    this.next(this.end);
  }
  @step end() {}
}
`;
    const c = await cluster({ workers: 1, concurrency: 1, files: { "flow.ts": exitFlow } });
    for (const [how, cause] of [["exit", "exited with code 0 \\(process\\.exit\\(\\) in the step, or a crash\\)"], ["kill", "was killed by SIGKILL"]] as const) {
      const runner = startRunner(c.project, { file: path.join(c.project, "flow.ts"), flowName: "ExitFlow", mode: "run", store: c.store, params: { how } }, c.env);
      cleanups.push(async () => void runner.child.kill("SIGKILL"));
      const outcome = await runner.done;
      const runId = expectSuccess(outcome); // the retry ran on a fresh child
      const lost = await new Task(`ExitFlow/${runId}/start/1`, { datastore: new Datastore({ root: c.store }), attempt: 0 }).exception();
      expect(lost?.type).toBe("WorkerLostError");
      expect(lost?.message).toMatch(new RegExp(`^Task ExitFlow/${runId}/start/1 \\(attempt 0\\) failed: the process running it on a worker ${cause}\\. @retry on the step runs the task again\\.$`));
    }
  });

  it("a run on a queue no worker takes from says so (not a silent wait), and goes on once a worker starts", async () => {
    const c = await cluster({ workers: 0 });
    const runner = run(c, { n: 2 });
    await runner.waitFor(/wbflow: no worker is taking tasks from queue 'wbflow' at redis:\/\/127\.0\.0\.1:\d+, so this run's tasks wait there\. Start one on a machine that mounts the datastore \(wbflow worker --redis URL --queue wbflow\), or check that the workers use this queue name and this Redis\./);
    await c.addWorker();
    const runId = expectSuccess(await runner.done);
    expect(await artifact(c.store, runId, "join", "total")).toBe(1 + 4);
  });

  it("@resources memory bounds a task on its worker (typed arrays too): its child process is ended, the attempt fails saying so, @retry applies", async () => {
    const hogFlow = `import { FlowSpec, current, resources, retry, step } from "wbflow";
export class HogFlow extends FlowSpec {
  @resources({ memory: 64 }) @retry({ times: 1 }) @step start() {
    const mib = current.retryCount === 0 ? 768 : 16;
    const blocks: Float64Array[] = [];
    for (let i = 0; i < mib / 16; i++) blocks.push(new Float64Array((16 * 1024 * 1024) / 8).fill(i));
    (this as any).blocks = blocks.length;
    this.next(this.end);
  }
  @step end() {}
}
`;
    const c = await cluster({ workers: 1, concurrency: 1, files: { "flow.ts": hogFlow } });
    const runner = startRunner(c.project, { file: path.join(c.project, "flow.ts"), flowName: "HogFlow", mode: "run", store: c.store }, c.env);
    cleanups.push(async () => void runner.child.kill("SIGKILL"));
    const runId = expectSuccess(await runner.done);
    const datastore = new Datastore({ root: c.store });
    const lost = await new Task(`HogFlow/${runId}/start/1`, { datastore, attempt: 0 }).exception();
    expect(lost?.type).toBe("WorkerLostError");
    expect(lost?.message).toContain("failed: the process running it on a worker was killed by SIGKILL (most likely it ran out of memory: @resources({ memory: 64 }) ends it");
    expect((await new Task(`HogFlow/${runId}/start/1`, { datastore }).data()).blocks).toBe(1);
  });

  it("SIGTERM to a worker mid-task: it takes no new task, finishes the running one (no re-run) and exits 0", async () => {
    const c = await cluster({ concurrency: 1 });
    const [stopping, other] = c.workers as [WorkerProcess, WorkerProcess];
    const runner = run(c, { n: 4, sleep_ms: 1500 });
    const task = await until(() => marks(c).find((m) => m.pid === stopping.child.pid)?.taskId);
    stopping.child.kill("SIGTERM");
    expect(await stopping.exited).toBe(0);
    expect(stopping.output()).toMatch(/SIGTERM: taking no more tasks; finishing 1 running task\(s\)\.[\s\S]*attempt 0 ok[\s\S]*Stopped\./);
    const runId = expectSuccess(await runner.done);
    const datastore = new Datastore({ root: c.store });
    expect(await datastore.listAttempts({ flowName: "SquaresFlow", runId, stepName: "work", taskId: task })).toEqual([0]);
    expect(other.output()).not.toMatch(new RegExp(`work/${task}\\] started`));
  });

  it("@retry counts attempts across workers: attempt numbers go on from machine to machine", async () => {
    const c = await cluster();
    const outcome = await run(c, { n: 2, fail_until: 2 }).done;
    const runId = expectSuccess(outcome);
    const datastore = new Datastore({ root: c.store });
    for (const taskId of await datastore.listTasks("SquaresFlow", runId, "work")) {
      const key = { flowName: "SquaresFlow", runId, stepName: "work", taskId };
      expect(await datastore.listAttempts(key)).toEqual([0, 1, 2]);
      for (const attempt of [0, 1]) {
        const failed = await datastore.readTask(key, attempt);
        expect(await datastore.getValue("SquaresFlow", failed.artifacts._task_ok!)).toBe(false);
      }
      expect((await datastore.readTask(key)).attempt).toBe(2);
    }
    expect(outcome.output).toMatch(/"type":"task-retrying".*planned failure of attempt 0/);
    expect(marks(c).filter((m) => m.attempt === 2)).toHaveLength(2);
  });

  it("redis-server stopped and started mid-run: the runner and the workers reconnect and the run completes", async () => {
    const c = await cluster();
    const runner = run(c, { n: 6, sleep_ms: 700 });
    await runner.waitFor(/"type":"task-finished","step":"work"/);
    await c.redis.stop();
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await c.redis.start();
    const runId = expectSuccess(await runner.done);
    expect(await artifact(c.store, runId, "join", "total")).toBe(1 + 4 + 9 + 16 + 25 + 36);
    for (const worker of c.workers) expect(worker.output()).not.toContain("Error:");
  });

  it("Redis away longer than the run allows: the run fails with a clear message and resume finishes it", async () => {
    const c = await cluster({ redis: { persistent: false, password: "pw-not-to-print" } });
    const runner = run(c, { n: 4, sleep_ms: 800 }, { redisDownLimitMs: 2000 });
    await runner.waitFor(/"type":"task-finished","step":"start"/);
    await c.redis.stop();
    const failed = await runner.done;
    expect(failed.result?.successful).toBe(false);
    expect(failed.result?.error).toMatch(/Redis at redis:\/\/\*\*\*@127\.0\.0\.1:\d+ has been unreachable for over 2 s.*continue with resume/s);
    expect(failed.output).not.toContain("pw-not-to-print");

    await c.redis.start();
    const resumed = await resume(c).done;
    const runId = expectSuccess(resumed);
    expect(runId).not.toBe(failed.result!.runId);
    expect(await artifact(c.store, runId, "join", "total")).toBe(1 + 4 + 9 + 16);
  });

  it("the runner SIGKILLed mid-run: workers finish their jobs and resume continues from what finished", async () => {
    const c = await cluster();
    const runner = run(c, { n: 4, sleep_ms: 1000 });
    await runner.waitFor(/"type":"task-started","step":"work"/);
    runner.child.kill("SIGKILL");
    await runner.done;
    const resumed = await resume(c).done;
    const runId = expectSuccess(resumed);
    expect(resumed.output).toMatch(/"type":"task-finished","step":"start"/);
    expect(await artifact(c.store, runId, "join", "total")).toBe(1 + 4 + 9 + 16);
  });

  it("a synchronous step longer than the job lock runs once: the worker keeps its lock while a child process computes", async () => {
    const c = await cluster({ concurrency: 1 });
    const runId = expectSuccess(await run(c, { n: 2, busy_ms: 3500 }).done);
    const datastore = new Datastore({ root: c.store });
    for (const taskId of await datastore.listTasks("SquaresFlow", runId, "work")) {
      expect(await datastore.listAttempts({ flowName: "SquaresFlow", runId, stepName: "work", taskId })).toEqual([0]);
    }
    expect(marks(c)).toHaveLength(2);
    for (const worker of c.workers) expect(worker.output()).not.toMatch(/stalled/);
  });

  it("a flow with branches, a foreach, joins and a switch stores the same artifacts as in-process", async () => {
    const example = readFileSync(path.join(REPO, "examples", "branches.ts"), "utf8");
    const c = await cluster({ files: { "flow.ts": example } });
    const runOn = (executor: string) =>
      startRunner(c.project, { file: path.join(c.project, "flow.ts"), flowName: "BranchesFlow", mode: "run", store: c.store, params: { folds: 4 }, options: { executor } }, c.env).done;
    const local = expectSuccess(await runOn("in-process"));
    const remote = expectSuccess(await runOn("bullmq"));
    const expected = await userArtifacts(c.store, "BranchesFlow", local);
    expect(Object.keys(expected).length).toBeGreaterThanOrEqual(12); // every step, four folds
    expect(await userArtifacts(c.store, "BranchesFlow", remote)).toEqual(expected);
  });

  it("files a step reads at run time reach the workers with --package-suffixes (text and binary); without, the step cannot find them", async () => {
    const readerFlow = `import { FlowSpec, step } from "wbflow";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));

export class ReaderFlow extends FlowSpec {
  lr!: number;
  weights!: number[];

  @step start() {
    this.lr = JSON.parse(readFileSync(path.join(here, "config", "train.json"), "utf8")).lr;
    this.weights = [...readFileSync(path.join(here, "weights.bin"))];
    this.next(this.end);
  }

  @step end() {}
}
`;
    const weights = Buffer.from([0, 255, 128, 0xc3, 0x28]);
    const c = await cluster({ workers: 1, files: { "flow.ts": readerFlow, "config/train.json": `{ "lr": 0.25 }` } });
    writeFileSync(path.join(c.project, "weights.bin"), weights);
    // The worker imports the flow from its unpacked package, so `here` is the package's folder.
    const without = await startRunner(c.project, { file: path.join(c.project, "flow.ts"), flowName: "ReaderFlow", mode: "run", store: c.store, options: { executor: "bullmq" } }, c.env).done;
    expect(without.result?.successful, without.output).toBe(false);
    expect(without.result?.error).toMatch(/ENOENT.*config\/train\.json/);

    const { stdout } = await promisify(execFile)(
      process.execPath,
      [WBFLOW_BIN, "run", "flow.ts", "--executor", "bullmq", "--package-suffixes", ".json,.bin", "--datastore", c.store],
      { cwd: c.project, env: { ...process.env, ...c.env } },
    );
    const runId = /Run ReaderFlow\/(\d+) finished successfully/.exec(stdout)?.[1];
    expect(runId, stdout).toBeDefined();
    const artifacts = await userArtifacts(c.store, "ReaderFlow", runId!);
    expect(Object.entries(artifacts).find(([task]) => task.startsWith("start"))?.[1]).toMatchObject({ lr: 0.25, weights: [...weights] });
  });

  it("wbflow run FILE --executor bullmq runs the flow on the workers, the Redis URL from the environment", async () => {
    const c = await cluster();
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      [WBFLOW_BIN, "run", "flow.ts", "--executor", "bullmq", "--datastore", c.store, "--n", "3"],
      { cwd: c.project, env: { ...process.env, ...c.env } },
    );
    expect(stderr).toBe("");
    const runId = /Run SquaresFlow\/(\d+) finished successfully/.exec(stdout)![1]!;
    expect(await artifact(c.store, runId, "join", "total")).toBe(1 + 4 + 9);
    const ran = c.workers.map((worker) => worker.output()).join("");
    expect(ran).toContain(`[SquaresFlow/${runId}/work/`);
  });

  it("@timeout ends a step stuck in synchronous code on its worker: the attempt fails with the timeout, the worker goes on", async () => {
    const c = await cluster({
      files: {
        "flow.ts": `import { FlowSpec, step, timeout } from "wbflow";
export class StuckFlow extends FlowSpec {
  @step start() { this.next(this.spin); }
  @timeout({ seconds: 1 })
  @step spin() { for (const end = Date.now() + 120_000; Date.now() < end; ); this.next(this.end); }
  @step end() {}
}
`,
      },
    });
    // Ended by the watchdog: had the loop run its 120 s, the attempt would have finished and said nothing of a process ended.
    const outcome = await startRunner(c.project, { file: path.join(c.project, "flow.ts"), flowName: "StuckFlow", mode: "run", store: c.store }, c.env).done;
    expect(outcome.result?.successful).toBe(false);
    expect(outcome.result?.error).toMatch(/Step 'spin' \(StuckFlow\/\d+\/spin\/2\) timed out after 1 s\..*Its process on the worker was ended/s);
    const datastore = new Datastore({ root: c.store });
    const failed = await datastore.readTask({ flowName: "StuckFlow", runId: outcome.result!.runId, stepName: "spin", taskId: "2" });
    expect(await datastore.getValue("StuckFlow", failed.artifacts._task_ok!)).toBe(false);
    for (const worker of c.workers) expect(worker.child.exitCode).toBeNull();
  });

  it("@wandb_log on workers: one offline W&B run per task, as in-process, in the shared W&B directory", async () => {
    const flow = `import { FlowSpec, step, type JoinInputs } from "wbflow";
import { wandb_log } from "wbflow/wandb";

@wandb_log()
export class LoggedFlow extends FlowSpec {
  items!: number[];
  value!: number;
  total!: number;
  @step start() { this.items = [1, 2]; this.next(this.work, { foreach: "items" }); }
  @step work() { this.value = (this.input as number) * 10; this.next(this.join); }
  @step join(inputs: JoinInputs) { this.total = inputs.reduce((sum, input) => sum + (input.value as number), 0); this.next(this.end); }
  @step end() {}
}
`;
    const c = await cluster({ files: { "flow.ts": flow } });
    const offlineRuns = (dir: string) =>
      readdirSync(path.join(dir, "wandb")).filter((name) => name.startsWith("offline-run-")).map((name) => path.join(dir, "wandb", name));
    const results: Record<string, string[]> = {};
    for (const executor of ["in-process", "bullmq"]) {
      const wandbDir = path.join(c.project, `wandb-${executor}`);
      const outcome = await startRunner(
        c.project,
        { file: path.join(c.project, "flow.ts"), flowName: "LoggedFlow", mode: "run", store: c.store, options: { executor } },
        { ...c.env, WANDB_MODE: "offline", WANDB_DIR: wandbDir, WANDB_API_KEY: "" },
      ).done;
      expect(outcome.result, outcome.output).toMatchObject({ successful: true });
      results[executor] = offlineRuns(wandbDir);
    }
    expect(results["in-process"]).toHaveLength(5); // start, two work tasks, join, end
    expect(results.bullmq).toHaveLength(5);
    for (const run of results.bullmq!) expect(readdirSync(run).some((name) => name.endsWith(".wandb"))).toBe(true);
  });

  it("the packaged code runs even after the project's file changes under the workers", async () => {
    const c = await cluster({ workers: 2 });
    const runner = run(c, { n: 3, sleep_ms: 300 });
    await runner.waitFor(/"type":"task-started","step":"work"/);
    writeFileSync(path.join(c.project, "lib", "square.ts"), `export function square(x: number): number {\n  return -1;\n}\n`);
    const runId = expectSuccess(await runner.done);
    expect(await artifact(c.store, runId, "join", "total")).toBe(1 + 4 + 9);
  });

  it("an interrupted run takes its queued jobs back out of Redis and stops its running tasks, even busy in synchronous code; resume completes", async () => {
    const c = await cluster({ workers: 1, concurrency: 2 });
    const runner = run(c, { n: 4, busy_ms: 5000 });
    await until(() => (marks(c).length === 2 ? true : undefined)); // two tasks spin on the worker; two jobs wait
    runner.child.kill("SIGINT");
    const outcome = await runner.done;
    expect(outcome.result, outcome.output).toMatchObject({ successful: false });
    const runId = outcome.result!.runId as string;
    expect(outcome.result!.error).toContain(`Flow SquaresFlow run SquaresFlow/${runId} was interrupted before it finished.`);
    // Redis holds nothing of the run for a worker to take later; the two running jobs ended as failed.
    const queue = new Queue("wbflow", { connection: { url: c.redis.url } });
    const counts = await queue.getJobCounts("waiting", "delayed", "prioritized", "active", "completed", "failed");
    await queue.close();
    expect(counts).toEqual({ waiting: 0, delayed: 0, prioritized: 0, active: 0, completed: 1, failed: 2 }); // start; two stopped
    expect(marks(c)).toHaveLength(2);
    expect(c.workers[0]!.output().match(/stopped: its run was interrupted/g), c.workers[0]!.output()).toHaveLength(2);
    // All four tasks are stored as interrupted (no @retry for them): two withdrawn, two stopped mid-step.
    const datastore = new Datastore({ root: c.store });
    const exceptions = [];
    for (const taskId of await datastore.listTasks("SquaresFlow", runId, "work")) {
      const exception = await new Task(`SquaresFlow/${runId}/work/${taskId}`, { datastore }).exception();
      exceptions.push(`${exception?.type ?? "none"}: ${/was stopped|was not run/.exec(exception?.message ?? "")?.[0]}`);
    }
    expect(exceptions.sort()).toEqual([
      "TaskInterruptedError: was not run",
      "TaskInterruptedError: was not run",
      "TaskInterruptedError: was stopped",
      "TaskInterruptedError: was stopped",
    ]);

    // The same worker (its child processes replaced) runs all four on resume.
    const resumed = await resume(c).done;
    const resumedId = expectSuccess(resumed);
    expect(await artifact(c.store, resumedId, "join", "total")).toBe(1 + 4 + 9 + 16);
    expect(marks(c)).toHaveLength(6);
  });
});
