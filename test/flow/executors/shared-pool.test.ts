/**
 * The `processes` executor's worker pool is shared by the runs of one process (a kernel, a script):
 * a second run starts on the warm workers, an edited flow module (or a file it imports) is picked up by
 * the next run, runs of different sizes share it, idle workers neither keep a script alive nor outlive
 * their idle time or their process, and resume runs its tasks in workers too. Real worker processes,
 * each scenario in a separate driver process (pool-driver.ts).
 */
import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, test } from "vitest";
import { runSignature } from "../executor-fixtures.js";
import { drivePool, driveRun, flowWorkspace, noneMarkedWithin, processesMarked, type PoolDrivenRun } from "./flow-workspace.js";

const workspace = flowWorkspace();

const pooled = (label: string) => `import { FlowSpec, step } from "wbflow";
import { VERSION } from "./helper.js";
export class Pooled extends FlowSpec {
  @step start() { (this as any).parts = [0, 1, 2, 3]; this.next(this.work, { foreach: "parts" }); }
  @step work() { (this as any).pid = process.pid; (this as any).code = "${label}:" + VERSION; this.next(this.join); }
  @step join(inputs: any) {
    (this as any).pids = inputs.map((i: any) => i.pid);
    (this as any).codes = inputs.map((i: any) => i.code);
    this.next(this.end);
  }
  @step end() {}
}
`;
const helper = (version: number) => `export const VERSION = ${version};\n`;

const FRAGILE = `import { existsSync } from "node:fs";
import { FlowSpec, step } from "wbflow";
const BROKEN = new URL("./broken", import.meta.url);
export class Fragile extends FlowSpec {
  @step start() { (this as any).parts = [1, 2, 3, 4]; this.next(this.body, { foreach: "parts" }); }
  @step body() {
    if (this.input === 4 && existsSync(BROKEN)) throw new Error("split 4 broke"); // the last split: the others finish first
    (this as any).y = (this.input as number) * 10;
    (this as any).where = typeof process.send === "function" ? "worker" : "driver";
    console.log("body", this.input);
    this.next(this.join);
  }
  @step join(inputs: any) { (this as any).ys = inputs.map((i: any) => i.y); this.next(this.end); }
  @step end() {}
}
`;

// An async step that gives up the thread past its @timeout: the attempt fails inside the worker, whose
// abandoned body may still run there, so the pool must not hand that worker another task (of this run or a later one).
const ABANDONED = `import { FlowSpec, step, retry, timeout, current } from "wbflow";
export class Abandoned extends FlowSpec {
  @retry({ times: 1 }) @timeout({ seconds: 1 }) @step async start() {
    console.log("attempt " + current.retryCount + " in " + process.pid);
    if (current.retryCount === 0) await new Promise(() => undefined); // never settles
    (this as any).pid = process.pid;
    this.next(this.end);
  }
  @step end() {}
}
`;

// A step whose worker's heap is bounded: such a worker serves only tasks asking for the same bound, from any run.
const BOUNDED = `import { FlowSpec, step, resources } from "wbflow";
export class Bounded extends FlowSpec {
  @resources({ memory: 256 }) @step start() { (this as any).boundedPid = process.pid; this.next(this.end); }
  @step end() { (this as any).plainPid = process.pid; }
}
`;

async function values(run: PoolDrivenRun, name: string): Promise<unknown> {
  const join = run.tasks.find((t) => t.stepName === "join")!;
  return run.datastore.getValue(run.flowName, join.artifacts[name]);
}

/** Waits (polling) until `done()` holds; fails naming `what` after 30 s. */
async function until(done: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

beforeAll(() => {
  workspace.write("pooled.ts", pooled("v1"));
  workspace.write("helper.ts", helper(1));
  workspace.write("fragile.ts", FRAGILE);
  workspace.write("abandoned.ts", ABANDONED);
  workspace.write("bounded.ts", BOUNDED);
});

describe("the shared worker pool", () => {
  test("a second run reuses the warm workers; an edit to the flow's module or a file it imports is used by the next run; the script then exits by itself", async () => {
    const mark = randomUUID();
    const file = `${workspace.dir}/pooled.ts`;
    const run = { run: "Pooled", executor: "processes", maxWorkers: 2 };
    const driver = drivePool(file, [
      run,
      run,
      { write: file, source: pooled("v2") },
      run,
      { write: `${workspace.dir}/helper.ts`, source: helper(2) },
      run,
    ], { mark });
    const { code, runs, stderr } = await driver.exited; // with idle workers kept for 300 s: they must not hold the process
    expect(code, stderr).toBe(0);
    const [first, warm, edited, helperEdited] = runs as [PoolDrivenRun, PoolDrivenRun, PoolDrivenRun, PoolDrivenRun];
    expect(runs.every((r) => r.successful)).toBe(true);
    expect(first.workers).toHaveLength(2);
    expect(await values(first, "codes")).toEqual(["v1:1", "v1:1", "v1:1", "v1:1"]);
    // The same two processes ran the second run's tasks.
    expect(warm.workers).toEqual(first.workers);
    expect(first.workers).toEqual(expect.arrayContaining([...new Set((await values(warm, "pids")) as number[])]));
    expect(await values(warm, "codes")).toEqual(["v1:1", "v1:1", "v1:1", "v1:1"]);
    // An edited module: new processes, new code.
    expect(await values(edited, "codes")).toEqual(["v2:1", "v2:1", "v2:1", "v2:1"]);
    expect(((await values(edited, "pids")) as number[]).filter((pid) => warm.workers.includes(pid))).toEqual([]);
    // An edited file the module imports: the same.
    expect(await values(helperEdited, "codes")).toEqual(["v2:2", "v2:2", "v2:2", "v2:2"]);
    expect(((await values(helperEdited, "pids")) as number[]).filter((pid) => edited.workers.includes(pid))).toEqual([]);
    await noneMarkedWithin(mark);
  }, 180_000);

  test("runs of different maxWorkers share the pool: a smaller run keeps one of the warm workers, a bigger one adds workers", async () => {
    const mark = randomUUID();
    const driver = drivePool(`${workspace.dir}/pooled.ts`, [2, 1, 3].map((maxWorkers) => ({ run: "Pooled", executor: "processes", maxWorkers })), { mark });
    const { code, runs, stderr } = await driver.exited;
    expect(code, stderr).toBe(0);
    const [two, one, three] = runs as [PoolDrivenRun, PoolDrivenRun, PoolDrivenRun];
    expect(two.workers).toHaveLength(2);
    expect(one.workers).toHaveLength(1);
    expect(two.workers).toContain(one.workers[0]);
    expect(new Set((await values(one, "pids")) as number[])).toEqual(new Set(one.workers));
    expect(three.workers).toHaveLength(3);
    expect(three.workers).toContain(one.workers[0]);
    await noneMarkedWithin(mark);
  }, 180_000);

  test("a worker with a heap bound (@resources memory) serves the same bound in the next run, and a plain worker the plain steps", async () => {
    const mark = randomUUID();
    const run = { run: "Bounded", executor: "processes", maxWorkers: 2 };
    const { code, runs, stderr } = await drivePool(`${workspace.dir}/bounded.ts`, [run, run], { mark }).exited;
    expect(code, stderr).toBe(0);
    const pids = async (done: PoolDrivenRun) => {
      const end = done.tasks.find((t) => t.stepName === "end")!;
      return [await done.datastore.getValue("Bounded", end.artifacts.boundedPid), await done.datastore.getValue("Bounded", end.artifacts.plainPid)];
    };
    const [first, second] = runs as [PoolDrivenRun, PoolDrivenRun];
    const [bounded, plain] = await pids(first);
    expect(bounded).not.toBe(plain);
    expect(await pids(second)).toEqual([bounded, plain]);
    expect(second.workers).toHaveLength(2);
    await noneMarkedWithin(mark);
  }, 180_000);

  test("idle workers are ended after WBFLOW_WORKER_IDLE_SECONDS while the process lives on", async () => {
    const mark = randomUUID();
    const driver = drivePool(`${workspace.dir}/pooled.ts`, [{ run: "Pooled", executor: "processes", maxWorkers: 2 }, { wait: true }], {
      mark,
      env: { WBFLOW_WORKER_IDLE_SECONDS: "1" },
    });
    try {
      const workers = await driver.waiting;
      await until(() => processesMarked(mark).every((pid) => !workers.includes(pid)), "the workers to end after their idle time");
      expect(driver.child.exitCode).toBeNull();
    } finally {
      driver.child.kill("SIGKILL");
    }
    const { stdout } = await driver.exited;
    const result = JSON.parse(stdout.split("\n").find((l) => l.startsWith("RESULT "))!.slice(7)) as PoolDrivenRun;
    expect(result.workers).toHaveLength(2); // they were there after the run
  }, 180_000);

  test("a WBFLOW_WORKER_IDLE_SECONDS that is not a number of seconds fails the run before any task, saying what to set", async () => {
    const failure = await driveRun(`${workspace.dir}/pooled.ts`, "Pooled", { executor: "processes", maxWorkers: 1, env: { WBFLOW_WORKER_IDLE_SECONDS: "soon" } }).catch((e: Error) => e);
    expect(String(failure)).toContain('WBFLOW_WORKER_IDLE_SECONDS is "soon": set it to a number of seconds ≥ 0 (0 ends the workers when each run ends), or unset it for 300.');
  }, 180_000);

  test("a process killed with idle workers (a kernel shut down or restarted) leaves no worker behind", async () => {
    const mark = randomUUID();
    const driver = drivePool(`${workspace.dir}/pooled.ts`, [{ run: "Pooled", executor: "processes", maxWorkers: 2 }, { wait: true }], { mark });
    const workers = await driver.waiting;
    expect(workers).toHaveLength(2);
    expect(processesMarked(mark)).toEqual(expect.arrayContaining([driver.child.pid, ...workers]));
    driver.child.kill("SIGKILL"); // no exit handler runs: the workers see their IPC channel close
    await driver.exited;
    await noneMarkedWithin(mark);
  }, 180_000);

  test("an interrupt sent to the whole process group (as Jupyter interrupts a kernel) leaves the idle workers warm", async () => {
    const mark = randomUUID();
    const run = { run: "Pooled", executor: "processes", maxWorkers: 2 };
    const driver = drivePool(`${workspace.dir}/pooled.ts`, [run, { interruptGroup: true }, run], { mark, detached: true });
    const { code, runs, stderr } = await driver.exited;
    expect(code, stderr).toBe(0);
    const [before, after] = runs as [PoolDrivenRun, PoolDrivenRun];
    expect(after.successful).toBe(true);
    expect(before.workers).toHaveLength(2);
    expect(after.workers).toEqual(before.workers);
    await noneMarkedWithin(mark);
  }, 180_000);

  test("a worker whose attempt timed out inside it is ended, not reused by the retry or by the next run", async () => {
    const mark = randomUUID();
    const run = { run: "Abandoned", executor: "processes", maxWorkers: 1 };
    const { code, runs, stderr } = await drivePool(`${workspace.dir}/abandoned.ts`, [run, run], { mark }).exited;
    expect(code, stderr).toBe(0);
    for (const done of runs as PoolDrivenRun[]) {
      expect(done.successful).toBe(true);
      const start = done.tasks.find((t) => t.stepName === "start")!;
      expect(start.attempts).toBe(2);
      const key = { flowName: "Abandoned", runId: done.runId, stepName: "start", taskId: start.taskId };
      const timedOutIn = Number(/attempt 0 in (\d+)/.exec(await done.datastore.readLog(key, 0, "stdout"))![1]);
      expect(await done.datastore.getValue("Abandoned", start.artifacts.pid)).not.toBe(timedOutIn);
      expect(done.workers).not.toContain(timedOutIn);
    }
    await noneMarkedWithin(mark);
  }, 180_000);

  test("resume with the processes executor clones the finished tasks and runs the rest in workers, with the same artifacts as an in-process resume", async () => {
    const mark = randomUUID();
    const broken = workspace.write("broken", "");
    const processes = { executor: "processes", maxWorkers: 2 };
    const driver = drivePool(`${workspace.dir}/fragile.ts`, [
      { run: "Fragile", ...processes },
      { remove: broken },
      { resume: "Fragile", origin: 0, ...processes },
      { resume: "Fragile", origin: 0, executor: "in-process", maxWorkers: 4 },
    ], { mark });
    const { code, runs, stderr } = await driver.exited;
    expect(code, stderr).toBe(0);
    const [failed, resumed, resumedInProcess] = runs as [PoolDrivenRun, PoolDrivenRun, PoolDrivenRun];
    expect(failed.successful).toBe(false);
    expect(failed.error!.cause!.message).toBe("split 4 broke");
    expect(resumed.successful).toBe(true);
    const cloned = (run: PoolDrivenRun) => run.tasks.filter((t) => t.cloned).map((t) => t.pathspecIndex).sort();
    expect(cloned(resumed)).toEqual(["body[0][]", "body[1][]", "body[2][]", "start[][]"]);
    expect(cloned(resumedInProcess)).toEqual(cloned(resumed));
    const rerun = resumed.tasks.find((t) => t.pathspecIndex === "body[3][]")!;
    expect(await resumed.datastore.getValue("Fragile", rerun.artifacts.where)).toBe("worker");
    expect(await values(resumed, "ys")).toEqual([10, 20, 30, 40]);
    // Same artifacts and logs as in-process, but for where the re-run split ran.
    const comparable = async (run: PoolDrivenRun) => {
      const signature = (await runSignature(run)) as Record<string, { values: Record<string, unknown> }>;
      for (const task of Object.values(signature)) delete task.values.where;
      return signature;
    };
    expect(await comparable(resumed)).toEqual(await comparable(resumedInProcess));
    await noneMarkedWithin(mark);
  }, 180_000);
});
