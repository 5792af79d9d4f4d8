/**
 * What a pooled worker must not carry from one task or run to the next, nor outlive: the environment
 * of an earlier run (a setting the kernel has since unset), a promise a step left rejecting (it must
 * fail that step's task, saying what happened, not the next task on the worker), and its parent (a
 * worker busy in synchronous code when its kernel or script is killed must end too). Real worker
 * processes, each scenario in a separate driver process.
 */
import { randomUUID } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { drivePool, driveRun, flowWorkspace, noneMarkedWithin, processesMarked, type PoolDrivenRun } from "./flow-workspace.js";

const workspace = flowWorkspace();

const SETTINGS = `import { FlowSpec, step } from "wbflow";
export class Settings extends FlowSpec {
  @step start() {
    (this as any).project = process.env.WANDB_PROJECT ?? null;
    (this as any).mode = process.env.WBFLOW_ISOLATION_MODE ?? null;
    this.next(this.end);
  }
  @step end() {}
}
`;

// Reads a file by a relative path, then wanders off (as a careless step might) for the next task on its worker.
const WANDERING = `import { readFileSync } from "node:fs";
import { FlowSpec, step } from "wbflow";
export class Wandering extends FlowSpec {
  @step start() {
    (this as any).folder = process.cwd();
    (this as any).text = readFileSync("input.txt", "utf8");
    process.chdir("/");
    this.next(this.end);
  }
  @step end() {}
}
`;

const CARELESS = `import { FlowSpec, step } from "wbflow";
export class Careless extends FlowSpec {
  @step start() {
    Promise.reject(new Error("nobody awaited this upload")); // fire and forget
    this.next(this.end);
  }
  @step end() {}
}
`;

// A step busy in synchronous code for long; it writes its pid first so the test knows it is running.
const TRAINING = `import { writeFileSync } from "node:fs";
import { FlowSpec, Parameter, step } from "wbflow";
export class Training extends FlowSpec {
  pidFile = Parameter("pid_file", { type: "string", required: true });
  @step start() {
    writeFileSync((this as any).pidFile, String(process.pid));
    for (const end = Date.now() + 120_000; Date.now() < end; );
    this.next(this.end);
  }
  @step end() {}
}
`;

// A flow whose helper throws at import (as one that needs a GPU, a file or a variable might) once edited.
const IMPORTING = `import { FlowSpec, step } from "wbflow";
import { device } from "./device.js";
export class Importing extends FlowSpec {
  @step start() { (this as any).device = device; this.next(this.end); }
  @step end() {}
}
`;

// A step that fills typed arrays (as tensors or tables do): memory outside the JavaScript heap. The first
// attempt then holds it (up to a minute): the bound is checked every 100 ms, and a step that finished first
// would pass on a loaded machine that ran the check late, though the bound works.
const TENSORS = `import { FlowSpec, step, resources, retry, current } from "wbflow";
export class Tensors extends FlowSpec {
  @resources({ memory: 64 }) @retry({ times: 1 }) @step start() {
    const mib = current.retryCount === 0 ? 768 : 16;
    const blocks: Float64Array[] = [];
    for (let i = 0; i < mib / 16; i++) blocks.push(new Float64Array((16 * 1024 * 1024) / 8).fill(i));
    if (current.retryCount === 0) for (const end = Date.now() + 60_000; Date.now() < end; );
    (this as any).blocks = blocks.length;
    this.next(this.end);
  }
  @step end() {}
}
`;

// Splits that each take both of a 2-slot run's slots, so one waits while the other runs (and fails).
const WIDE = `import { writeFileSync } from "node:fs";
import path from "node:path";
import { FlowSpec, Parameter, resources, step } from "wbflow";
export class Wide extends FlowSpec {
  markers = Parameter("markers", { type: "string", required: true });
  @step start() { (this as any).parts = [0, 1]; this.next(this.heavy, { foreach: "parts" }); }
  @resources({ cpu: 2 }) @step heavy() {
    writeFileSync(path.join((this as any).markers, String(this.input)), "");
    if ((this.input as number) >= 0) throw new Error("split " + this.input + " failed");
    this.next(this.join);
  }
  @step join(inputs: any) { this.next(this.end); }
  @step end() {}
}
`;

// A step that prints from a timer after it returned.
const LATE = `import { FlowSpec, step } from "wbflow";
export class Late extends FlowSpec {
  @step start() { setTimeout(() => console.log("printed after the step returned"), 200); this.next(this.end); }
  @step async end() { await new Promise((resolve) => setTimeout(resolve, 1000)); }
}
`;

beforeAll(() => {
  workspace.write("late.ts", LATE);
  workspace.write("wide.ts", WIDE);
  workspace.write("tensors.ts", TENSORS);
  workspace.write("importing.ts", IMPORTING);
  workspace.write("device.ts", `export const device = "cpu";\n`);
  workspace.write("settings.ts", SETTINGS);
  workspace.write("careless.ts", CARELESS);
  workspace.write("wandering.ts", WANDERING);
  workspace.write("training.ts", TRAINING);
});

async function started(run: PoolDrivenRun, name: string): Promise<unknown> {
  const start = run.tasks.find((t) => t.stepName === "start")!;
  return run.datastore.getValue(run.flowName, start.artifacts[name]);
}

describe("processes executor: nothing carried over or left behind, failures told as they are", () => {
  test("a warm worker sees the environment of the run it serves, not one an earlier run had (a setting unset since is unset)", async () => {
    const mark = randomUUID();
    const run = { run: "Settings", executor: "processes", maxWorkers: 1 };
    const actions = [
      { env: { WANDB_PROJECT: "first-project", WBFLOW_ISOLATION_MODE: "a" } },
      run,
      { env: { WANDB_PROJECT: null, WBFLOW_ISOLATION_MODE: "b" } },
      run,
    ];
    const { code, runs, stderr } = await drivePool(`${workspace.dir}/settings.ts`, actions, { mark }).exited;
    expect(code, stderr).toBe(0);
    const [first, second] = runs as [PoolDrivenRun, PoolDrivenRun];
    expect(second.workers).toEqual(first.workers); // the same warm worker served both
    expect(await started(first, "project")).toBe("first-project");
    expect(await started(first, "mode")).toBe("a");
    expect(await started(second, "project")).toBeNull();
    expect(await started(second, "mode")).toBe("b");
    await noneMarkedWithin(mark);
  }, 120_000);

  test("a warm worker's task sees the working folder the run was started from, not the worker's nor one an earlier task changed to", async () => {
    const mark = randomUUID();
    const [first, second] = ["a", "b"].map((name) => {
      const folder = mkdtempSync(path.join(tmpdir(), `wbflow-cwd-${name}-`));
      writeFileSync(path.join(folder, "input.txt"), `input of ${name}`);
      return folder;
    }) as [string, string];
    const run = { run: "Wandering", executor: "processes", maxWorkers: 1 };
    const actions = [{ chdir: first }, run, { chdir: second }, run];
    const { code, runs, stderr } = await drivePool(`${workspace.dir}/wandering.ts`, actions, { mark }).exited;
    expect(code, stderr).toBe(0);
    const [one, two] = runs as [PoolDrivenRun, PoolDrivenRun];
    expect(two.workers).toEqual(one.workers); // the same warm worker served both
    expect(await started(one, "folder")).toBe(first);
    expect(await started(one, "text")).toBe("input of a");
    expect(await started(two, "folder")).toBe(second);
    expect(await started(two, "text")).toBe("input of b");
    await noneMarkedWithin(mark);
  }, 120_000);

  test("a promise a step left rejecting fails that step's task, naming the error; not the next task on the worker", async () => {
    const run = await driveRun(`${workspace.dir}/careless.ts`, "Careless", { executor: "processes", maxWorkers: 1 });
    expect(run.successful).toBe(false);
    expect(run.error!.message).toContain("failed in step 'start'");
    expect(run.error!.cause!.name).toBe("WorkerLostError");
    expect(run.error!.cause!.message).toMatch(
      /^Task Careless\/\d+\/start\/1 \(attempt 0\) failed: its worker process \(pid \d+\) ended on an error no code caught: Error: nobody awaited this upload\. A promise rejected with no handler/,
    );
    expect(run.error!.cause!.message).toContain("await such promises (or add .catch()) in the step");
    expect(run.tasks.map((t) => t.stepName)).toEqual(["start"]);
  }, 120_000);

  test("a module that fails to import in a worker (edited since the process imported it) fails the run saying so, naming the module and the error", async () => {
    const mark = randomUUID();
    const file = `${workspace.dir}/importing.ts`;
    const run = { run: "Importing", executor: "processes", maxWorkers: 1 };
    const broken = `throw new Error("no GPU found");\nexport const device = "gpu";\n`;
    const actions = [run, { write: `${workspace.dir}/device.ts`, source: broken }, run, { write: `${workspace.dir}/device.ts`, source: `export const device = "cpu";\n` }];
    const { code, runs, stderr } = await drivePool(file, actions, { mark }).exited;
    expect(code, stderr).toBe(0);
    const [before, failed] = runs as [PoolDrivenRun, PoolDrivenRun];
    expect(before.successful).toBe(true);
    expect(failed.successful).toBe(false);
    expect(failed.error!.cause!.name).toBe("FlowModuleImportError");
    expect(failed.error!.cause!.message).toMatch(
      new RegExp(`^Worker process \\d+ could not import the flow module ${file.replaceAll(".", "\\.")}: Error: no GPU found\\. Workers import the module and the files it imports afresh from disk`),
    );
    expect(failed.error!.cause!.message).toContain("the module must import without error on its own. Fix it, then run again.");
    await noneMarkedWithin(mark);
  }, 120_000);

  test("@resources memory bounds memory outside the JavaScript heap too (typed arrays): the attempt fails as out of memory, @retry applies", async () => {
    const run = await driveRun(`${workspace.dir}/tensors.ts`, "Tensors", { executor: "processes", maxWorkers: 1 });
    expect(run.error).toBeUndefined();
    const start = run.tasks.find((t) => t.stepName === "start")!;
    expect(start.attempts).toBe(2);
    expect(await run.datastore.getValue("Tensors", start.artifacts.blocks)).toBe(1); // the second attempt, within the bound
    const first = await run.datastore.readTask({ flowName: "Tensors", runId: run.runId, stepName: "start", taskId: start.taskId }, 0);
    const exception = (await run.datastore.getValue("Tensors", first.artifacts._exception!)) as { type: string; message: string };
    expect(exception.type).toBe("WorkerLostError");
    expect(exception.message).toMatch(/ran out of memory \(it grew by \d+ MiB, over the 64 MiB @resources\(\{ memory \}\) allows; memory outside the JavaScript heap, such as typed arrays and Buffers, counts too\)/);
  }, 120_000);

  test("after a task failed, a task still waiting for free slots (@resources cpu) is not started, as in-process", async () => {
    const markers = mkdtempSync(path.join(tmpdir(), "wbflow-wide-"));
    const run = await driveRun(`${workspace.dir}/wide.ts`, "Wide", { executor: "processes", maxWorkers: 2, params: { markers } });
    expect(run.successful).toBe(false);
    expect(run.error!.cause!.message).toBe("split 0 failed");
    expect(readdirSync(markers)).toEqual(["0"]); // the second split never ran
    const waited = run.tasks.find((t) => t.stepName === "heavy" && t.error?.name === "TaskNotRunError")!;
    expect(waited.error!.message).toMatch(
      /^Task Wide\/\d+\/heavy\/3 \(attempt 0\) was not run: the run had already failed \(in task Wide\/\d+\/heavy\/2\) while it waited for free worker slots\. Resume the run to run it\.$/,
    );
  }, 120_000);

  test("what a step prints after it returned (a timer) is shown, as in-process, not dropped", async () => {
    const run = await driveRun(`${workspace.dir}/late.ts`, "Late", { executor: "processes", maxWorkers: 1 });
    expect(run.successful).toBe(true);
    expect(run.stdout).toContain("printed after the step returned\n");
  }, 120_000);

  test("a worker busy in synchronous code ends soon after its process is killed (a kernel killed mid-run leaves no orphan)", async () => {
    const mark = randomUUID();
    const pidFile = path.join(mkdtempSync(path.join(tmpdir(), "wbflow-orphan-")), "pid");
    const driver = drivePool(`${workspace.dir}/training.ts`, [{ run: "Training", executor: "processes", maxWorkers: 1, params: { pid_file: pidFile } }], { mark });
    const deadline = Date.now() + 60_000;
    while (!existsSync(pidFile) || readFileSync(pidFile, "utf8") === "") {
      if (Date.now() > deadline) throw new Error("the step never started");
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const worker = Number(readFileSync(pidFile, "utf8"));
    expect(processesMarked(mark)).toContain(worker);
    driver.child.kill("SIGKILL"); // no exit handler runs, and the busy worker never sees its IPC channel close
    await driver.exited;
    try {
      await noneMarkedWithin(mark, 15_000); // the step alone would go on for two minutes
    } finally {
      for (const pid of processesMarked(mark)) process.kill(pid, "SIGKILL");
    }
  }, 120_000);
});
