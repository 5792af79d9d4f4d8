/**
 * The `processes` executor with real worker processes: the same run as in-process on a flow with every
 * shape, CPU-bound foreach splits really running at once, and the faults (a worker killed, exiting, out
 * of memory, a runaway step past its @timeout) failing only their attempt, with no process left behind.
 * Each run is started by a separate Node process importing the flow file, as a user's program would.
 */
import { randomUUID } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { runSignature, SHAPES_FLOW } from "../executor-fixtures.js";
import { drivePool, driveRun, flowWorkspace, noneMarkedWithin, type DrivenRun } from "./flow-workspace.js";

const HEADER = `import { FlowSpec, step, Parameter, retry, catchFailure, timeout, resources, current } from "wbflow";\n`;
const workspace = flowWorkspace();

// Each split busy-loops for 400 ms and, beyond that, until another split has started (at most 5 s): two
// splits running at once overlap even when a loaded machine starts the second one late; splits run one
// after another (in-process) never do.
const BURN = `${HEADER}
import { readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
export class Burn extends FlowSpec {
  markers = Parameter("markers", { type: "string", required: true });
  @step start() { (this as any).parts = [0, 1, 2, 3]; this.next(this.burn, { foreach: "parts" }); }
  @step burn() {
    const now = () => performance.timeOrigin + performance.now();
    const started = now();
    const markers = (this as any).markers as string;
    writeFileSync(path.join(markers, String(this.input)), "");
    const othersStarted = () => readdirSync(markers).length > 1;
    let x = 0;
    while (now() < started + 400 || (now() < started + 5000 && !othersStarted())) x += Math.sqrt(x + 1); // busy: the thread does nothing else meanwhile
    (this as any).interval = [started, now()];
    (this as any).pid = process.pid;
    this.next(this.join);
  }
  @step join(inputs: any) {
    (this as any).intervals = inputs.map((i: any) => i.interval);
    (this as any).pids = inputs.map((i: any) => i.pid);
    this.next(this.end);
  }
  @step end() {}
}
`;

const FAULTS = `${HEADER}
function fault(mode: string): void {
  if (mode === "kill") process.kill(process.pid, "SIGKILL");
  if (mode === "exit") process.exit(3);
  if (mode === "oom") { const hog: number[][] = []; for (;;) hog.push(new Array(1e5).fill(Math.random())); }
}
export class Retried extends FlowSpec {
  mode = Parameter("mode", { default: "kill" });
  @retry({ times: 1 }) @step start() {
    if (current.retryCount === 0) fault((this as any).mode);
    (this as any).survived = current.retryCount;
    this.next(this.end);
  }
  @step end() {}
}
export class Fatal extends FlowSpec {
  mode = Parameter("mode", { default: "kill" });
  @step start() { (this as any).before = 1; this.next(this.doomed); }
  @step doomed() { fault((this as any).mode); this.next(this.end); }
  @step end() {}
}
export class Hog extends FlowSpec {
  @resources({ memory: 64 }) @retry({ times: 1 }) @step start() {
    if (current.retryCount === 0) fault("oom");
    (this as any).survived = current.retryCount;
    this.next(this.end);
  }
  @step end() {}
}
export class Runaway extends FlowSpec {
  @timeout({ seconds: 1 }) @step start() { for (;;) {} this.next(this.end); }
  @step end() {}
}
`;

/** Runs with a fresh environment mark, then checks no process carrying it is left. */
async function driveAndCheckLeftovers(file: string, flow: string, options: { executor: string; maxWorkers: number; params?: object }): Promise<DrivenRun> {
  const mark = randomUUID();
  const run = await driveRun(file, flow, { ...options, mark });
  await noneMarkedWithin(mark); // the workers are killed as the driver exits
  return run;
}

function maxOverlap(intervals: Array<[number, number]>): number {
  const edges = intervals.flatMap(([s, e]) => [[s, 1], [e, -1]] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let open = 0;
  let most = 0;
  for (const [, step] of edges) most = Math.max(most, (open += step));
  return most;
}

beforeAll(() => {
  workspace.write("shapes.ts", HEADER + SHAPES_FLOW);
  workspace.write("burn.ts", BURN);
  workspace.write("faults.ts", FAULTS);
});

describe("processes executor", () => {
  test("gives the same run as in-process: branches, foreach, join, switch, loop, @retry, @catch, logs", async () => {
    const file = `${workspace.dir}/shapes.ts`;
    const [inProcess, processes] = await Promise.all([
      driveAndCheckLeftovers(file, "Shapes", { executor: "in-process", maxWorkers: 4, params: { scale: 3 } }),
      driveAndCheckLeftovers(file, "Shapes", { executor: "processes", maxWorkers: 2, params: { scale: 3 } }),
    ]);
    expect(processes.successful).toBe(true);
    const expected = await runSignature(inProcess);
    expect(await runSignature(processes)).toEqual(expected);
    expect((expected["both[][]"] as any).values.result).toEqual({ tags: ["o3", "e12", "o27"], oopses: [null, null, null], n: 3 });
    expect(processes.stdout).toContain("count 3\n"); // printed live by the process that started the run
  }, 120_000);

  test("CPU-bound foreach splits run at the same time in different processes (in-process they never overlap)", async () => {
    const file = `${workspace.dir}/burn.ts`;
    // The second of two runs in one process: its workers are warm, so neither split waits for a worker to start.
    const mark = randomUUID();
    const markers = () => ({ markers: mkdtempSync(path.join(tmpdir(), "wbflow-burn-")) }); // a fresh folder per run
    const twice = await drivePool(file, [1, 2].map(() => ({ run: "Burn", executor: "processes", maxWorkers: 2, params: markers() })), { mark }).exited;
    await noneMarkedWithin(mark);
    const processes = twice.runs[1]!;
    const inProcess = await driveAndCheckLeftovers(file, "Burn", { executor: "in-process", maxWorkers: 4, params: markers() });
    const joined = async (run: DrivenRun) => {
      const join = run.tasks.find((t) => t.stepName === "join")!;
      return {
        intervals: (await run.datastore.getValue("Burn", join.artifacts.intervals)) as Array<[number, number]>,
        pids: (await run.datastore.getValue("Burn", join.artifacts.pids)) as number[],
      };
    };
    const parallel = await joined(processes);
    expect(maxOverlap(parallel.intervals)).toBe(2);
    expect(new Set(parallel.pids).size).toBe(2);
    const serial = await joined(inProcess);
    expect(maxOverlap(serial.intervals)).toBe(1);
    expect(new Set(serial.pids).size).toBe(1);
  }, 120_000);

  test.each(["kill", "exit"])("a worker that dies (%s) fails only that attempt; @retry runs it again on a new worker", async (mode) => {
    const run = await driveAndCheckLeftovers(`${workspace.dir}/faults.ts`, "Retried", { executor: "processes", maxWorkers: 1, params: { mode } });
    expect(run.successful).toBe(true);
    const start = run.tasks.find((t) => t.stepName === "start")!;
    expect(start.attempts).toBe(2);
    expect(await run.datastore.getValue("Retried", start.artifacts.survived)).toBe(1);
  }, 120_000);

  test.each([
    ["kill", "was killed by SIGKILL"],
    ["exit", "exited with code 3"],
  ])("without @retry, a worker that dies (%s) fails the run naming the task and the cause", async (mode, cause) => {
    const run = await driveAndCheckLeftovers(`${workspace.dir}/faults.ts`, "Fatal", { executor: "processes", maxWorkers: 2, params: { mode } });
    expect(run.successful).toBe(false);
    expect(run.error!.cause!.name).toBe("WorkerLostError");
    expect(run.error!.cause!.message).toMatch(new RegExp(`^Task Fatal/\\d+/doomed/2 \\(attempt 0\\) failed: its worker process \\(pid \\d+\\) ${cause}`));
    const doomed = run.tasks.find((t) => t.stepName === "doomed")!;
    const stored = await run.datastore.readTask({ flowName: "Fatal", runId: run.runId, stepName: "doomed", taskId: doomed.taskId });
    expect(await run.datastore.getValue("Fatal", stored.artifacts._exception!)).toMatchObject({ type: "WorkerLostError" });
    expect(await run.datastore.getValue("Fatal", stored.artifacts.before!)).toBe(1); // inputs kept
  }, 120_000);

  test("a task over its @resources memory fails with an out-of-memory error, and @retry applies", async () => {
    const run = await driveAndCheckLeftovers(`${workspace.dir}/faults.ts`, "Hog", { executor: "processes", maxWorkers: 1 });
    expect(run.successful).toBe(true);
    const start = run.tasks.find((t) => t.stepName === "start")!;
    expect(start.attempts).toBe(2);
    const first = await run.datastore.readTask({ flowName: "Hog", runId: run.runId, stepName: "start", taskId: start.taskId }, 0);
    const exception = (await run.datastore.getValue("Hog", first.artifacts._exception!)) as { message: string };
    expect(exception.message).toContain("ran out of memory (its heap is limited to 64 MiB by @resources({ memory }))");
  }, 120_000);

  test("a flow file in a folder without wbflow installed (a notebook's) runs in workers with the engine's own copy", async () => {
    const bare = flowWorkspace({ installWbflow: false });
    const file = bare.write("shapes.ts", HEADER + SHAPES_FLOW);
    const run = await driveRun(file, "Shapes", { executor: "processes", maxWorkers: 2, env: { WBFLOW_DRIVER_LINK: "1" } });
    expect(run.error).toBeUndefined();
    expect(run.successful).toBe(true);
    const side = run.tasks.find((t) => t.stepName === "side")!;
    expect(side.attempts).toBe(2); // current.retryCount is the engine's: the flow's wbflow is the worker's copy
  }, 120_000);

  test("a CommonJS flow file (a .ts in a folder with no package.json, as a notebook's) gets the engine's own copy in workers too", async () => {
    const folder = mkdtempSync(path.join(tmpdir(), "wbflow-notebook-")); // no package.json, no node_modules
    const file = path.join(folder, "shapes.ts");
    writeFileSync(file, HEADER + SHAPES_FLOW);
    const run = await driveRun(file, "Shapes", { executor: "processes", maxWorkers: 2, env: { WBFLOW_DRIVER_LINK: "1" } });
    expect(run.error).toBeUndefined();
    const side = run.tasks.find((t) => t.stepName === "side")!;
    expect(side.attempts).toBe(2); // current.retryCount is the engine's: a second (CommonJS) copy would leave it unset
  }, 120_000);

  test("@timeout ends a runaway (busy) step's worker; the run fails with the timeout and does not hang", async () => {
    const run = await driveAndCheckLeftovers(`${workspace.dir}/faults.ts`, "Runaway", { executor: "processes", maxWorkers: 1 });
    expect(run.successful).toBe(false);
    expect(run.error!.cause!.name).toBe("StepTimeoutError");
    expect(run.error!.cause!.message).toMatch(/^Step 'start' \(Runaway\/\d+\/start\/1\) timed out after 1 s\. Make the step faster or raise its @timeout\. Its worker process \(pid \d+\) was ended\.$/);
  }, 120_000);
});
