import { expect, test } from "vitest";
import { activeRunCount, interruptActiveRuns } from "../../src/flow/runtime/active-runs.js";
import { flowModule, tempDatastore } from "./helpers.js";
import type { Executor } from "../../src/flow/executors/executor.js";
import { executeAttempt } from "../../src/flow/task/task-execution.js";

const FOREACH = `
    export const done: number[] = [];
    export const hooks = { onFirst: () => {} };
    export class F extends FlowSpec {
      @step start() { (this as any).xs = [0, 1, 2, 3]; this.next(this.work, { foreach: "xs" }); }
      @step work() { done.push(this.input as number); if (this.index === 0) hooks.onFirst(); (this as any).y = this.input; this.next(this.join); }
      @step join(inputs: any) { (this as any).ys = inputs.map((i: any) => i.y); this.next(this.end); }
      @step end() {}
    }`;

const INTERRUPTED = /^Flow F run F\/(\d+) was interrupted before it finished\. Tasks that finished are saved; continue with F\.resume\(\) \(in a notebook `%flow resume F`, in a terminal `wbflow resume FILE F`\)\.$/;

test("an aborted signal stops the run after the running tasks; what finished is saved and resume continues", async () => {
  const first = flowModule(FOREACH);
  const controller = new AbortController();
  first.hooks.onFirst = () => controller.abort(new Error("user pressed stop"));
  const store = tempDatastore();
  const error = await first.F.run({}, { datastore: store, maxWorkers: 1, signal: controller.signal }).catch((e: any) => e);
  expect(error.name).toBe("FlowRunError");
  expect(error.interrupted).toBe(true);
  expect(error.message).toMatch(INTERRUPTED);
  expect(error.message).toContain(`F/${error.runId}`);
  expect(first.done).toEqual([0]);
  expect(error.run.tasksOf("work").map((t: any) => t.ok)).toEqual([true]);

  const second = flowModule(FOREACH);
  const resumed = await second.F.resume({ datastore: store, originRunId: error.runId });
  expect(second.done).toEqual([1, 2, 3]);
  expect((await resumed.data()).ys).toEqual([0, 1, 2, 3]);
});

test("interruptActiveRuns (the notebook's interrupt) stops every run in progress, with or without a signal of its own", async () => {
  const module = flowModule(`${FOREACH}
    let openGate = () => {};
    const gate = new Promise<void>((resolve) => (openGate = resolve));
    let gStarted = () => {};
    const gRunning = new Promise<void>((resolve) => (gStarted = resolve));
    export const control = { openGate: () => openGate(), gRunning };
    export class G extends FlowSpec {
      @step async start() { gStarted(); await gate; this.next(this.end); }
      @step end() {}
    }`);
  let countAtInterrupt = 0;
  let ended: Promise<void> | undefined;
  module.hooks.onFirst = () => {
    countAtInterrupt = activeRunCount();
    ended = interruptActiveRuns(new Error("kernel interrupt"));
    module.control.openGate(); // G's running start step finishes; its end step never starts
  };
  const store = tempDatastore();
  const other = module.G.run({}, { datastore: store, signal: new AbortController().signal }).catch((e: any) => e);
  await module.control.gRunning;
  const error = await module.F.run({}, { datastore: store, maxWorkers: 1 }).catch((e: any) => e);
  const otherError = await other;
  await ended;
  expect(countAtInterrupt).toBe(2);
  expect(activeRunCount()).toBe(0);
  expect(error).toMatchObject({ name: "FlowRunError", interrupted: true });
  expect(error.message).toMatch(INTERRUPTED);
  expect(error.cause.message).toBe("kernel interrupt");
  expect(module.done).toEqual([0]);
  expect(otherError).toMatchObject({ name: "FlowRunError", interrupted: true });
  expect(otherError.run.tasks.map((t: any) => [t.stepName, t.ok])).toEqual([["start", true]]);
  await interruptActiveRuns(); // nothing left to interrupt: resolves at once
});

test("a run's stop signal takes one listener per running attempt without Node's possible-leak warning", async () => {
  const warnings: string[] = [];
  const onWarning = (warning: Error) => warnings.push(warning.message);
  process.on("warning", onWarning);
  try {
    const module = flowModule(`export class Wide extends FlowSpec {
      @step start() { (this as any).xs = Array.from({ length: 16 }, (_, i) => i); this.next(this.work, { foreach: "xs" }); }
      @step work() { this.next(this.join); }
      @step join(inputs: any) { this.next(this.end); }
      @step end() {}
    }`);
    const listening: Executor = {
      name: "listening",
      async open() {},
      async runAttempt(assignment) {
        assignment.signal!.addEventListener("abort", () => {}); // as the processes and bullmq executors do
        await new Promise((resolve) => setTimeout(resolve, 20)); // all 16 at once
        return executeAttempt(assignment.run, assignment.spec, assignment.attempt);
      },
      async close() {},
    };
    await module.Wide.run({}, { datastore: tempDatastore(), executor: listening, maxWorkers: 16 });
    await new Promise((resolve) => setImmediate(resolve));
  } finally {
    process.off("warning", onWarning);
  }
  expect(warnings.filter((w) => w.includes("abort listeners"))).toEqual([]);
});
