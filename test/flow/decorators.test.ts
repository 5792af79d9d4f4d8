import { describe, expect, test } from "vitest";
import { FlowDefinitionError, StepTimeoutError } from "../../src/flow/errors.js";
import { onFlowEvent, type FlowEvent } from "../../src/flow/runtime/events.js";
import { COMPILE_MODES } from "./compile-flow.js";
import { flowFrom, flowModule, tempDatastore } from "./helpers.js";

describe.each(COMPILE_MODES)("step decorator mechanism ($label)", (mode) => {
  const withTag = `
    export const seen: string[] = [];
    export const tag = defineStepDecorator({
      name: "tag",
      defaults: { label: "default" },
      async middleware(ctx: any, next: any) { seen.push(ctx.stepName + "=" + ctx.decoratorOptions.label); await next(); },
    });`;

  test("bare, with options, on methods and on the class; the step level wins whatever the order", async () => {
    const module = `${withTag}
      @tag({ label: "flow" })
      export class F extends FlowSpec {
        @step @tag({ label: "below" }) start() { this.next(this.a); }
        @tag({ label: "above" }) @step a() { this.next(this.b); }
        @tag @step b() { this.next(this.end); }
        @step end() {}
      }`;
    const { F, seen } = flowModule(module, mode);
    await F.run({}, { datastore: tempDatastore() });
    expect(seen).toEqual(["start=below", "a=above", "b=default", "end=flow"]);
    expect(F.check().steps.start.decorators).toEqual([{ name: "tag", options: { label: "below" } }]);
    expect(F.check().steps.a.decorators).toEqual([{ name: "tag", options: { label: "above" } }]);
    expect(F.check().steps.b.decorators).toEqual([{ name: "tag", options: { label: "default" } }]);
    expect(F.check().steps.end.decorators).toEqual([{ name: "tag", options: { label: "flow" } }]);
  });

  test("middleware runs around the body with the task's context", async () => {
    const F = flowFrom(
      `export const log: string[] = [];
      const around = defineStepDecorator({
        name: "around",
        defaults: {},
        async middleware(ctx: any, next: any) { log.push("before " + ctx.stepName + " " + current.stepName); await next(); log.push("after " + ctx.stepName); },
      });
      export class F extends FlowSpec {
        @around @step start() { log.push("body"); this.next(this.end); }
        @step end() { (this as any).log = log; }
      }`,
      "F",
      mode,
    );
    expect((await (await F.run({}, { datastore: tempDatastore() })).data()).log).toEqual(["before start start", "body", "after start"]);
  });

  test("definition errors: unknown option, duplicate, decorator without @step", () => {
    const define = (body: string) => () => flowFrom(`${withTag}\nexport class F extends FlowSpec { ${body} }`, "F", mode).check();
    expect(define(`@tag({ colour: "red" }) @step start() {}`)).toThrow(
      new FlowDefinitionError("@tag on step 'start' has an unknown option 'colour'. Supported options: label."),
    );
    expect(define(`@tag @tag @step start() {}`)).toThrow("Step 'start' has @tag twice. Keep one and put all its options in it.");
    expect(define(`@step start() { this.next(this.end); } @tag helper() {} @step end() {}`)).toThrow(
      "Method 'helper' of flow F has @tag but is not a step. Add @step to it (or remove @tag).",
    );
    expect(define(`@retry({ times: 9 }) @step start() {}`)).toThrow("@retry on step 'start': times must be a whole number from 0 to 5; got 9.");
    expect(define(`@timeout @step start() {}`)).toThrow("@timeout on step 'start': give a duration, e.g. @timeout({ minutes: 5 }).");
  });
});

describe("@retry, @catch, @timeout, @environment", () => {
  test("@retry re-runs a failing task with the same task id and an increasing retry count", async () => {
    const F = flowFrom(`
      export const counts: number[] = [];
      export class F extends FlowSpec {
        @retry({ times: 2 }) @step start() {
          counts.push(current.retryCount!);
          if (current.retryCount! < 2) throw new Error("flaky");
          (this as any).attempt = current.retryCount;
          this.next(this.end);
        }
        @step end() {}
      }`);
    const events: FlowEvent[] = [];
    const run = await F.run({}, { datastore: tempDatastore(), onEvent: (e: FlowEvent) => events.push(e) });
    expect((await run.data()).attempt).toBe(2);
    expect(run.tasksOf("start")[0].attempts).toBe(3);
    expect(events.filter((e) => e.type === "task-retrying")).toHaveLength(2);
    const stored = await run.datastore.readTask({ flowName: "F", runId: run.runId, stepName: "start", taskId: run.tasksOf("start")[0].taskId });
    expect(stored.attempt).toBe(2);
  });

  test("without @retry a failure fails the run, names the step, and keeps what finished", async () => {
    const F = flowFrom(`export class F extends FlowSpec {
      @step start() { (this as any).kept = "yes"; this.next(this.boom); }
      @step boom() { (this as any).partial = 1; throw new TypeError("bad input"); this.next(this.end); }
      @step end() {}
    }`);
    const store = tempDatastore();
    const error = await F.run({}, { datastore: store }).catch((e: any) => e);
    expect(error.name).toBe("FlowRunError");
    expect(error.stepName).toBe("boom");
    expect(error.message).toMatch(/^Flow F run \d+ failed in step 'boom' \(task F\/\d+\/boom\/2\): bad input\n/);
    expect(await error.run.artifact("kept", "start")).toBe("yes");
    const failed = await store.readTask({ flowName: "F", runId: error.runId, stepName: "boom", taskId: "2" });
    expect(failed.artifacts.partial).toBeDefined();
  });

  test("throwOnFailure: false resolves with an unsuccessful run", async () => {
    const F = flowFrom(`export class F extends FlowSpec { @step start() { throw new Error("x"); this.next(this.end); } @step end() {} }`);
    const run = await F.run({}, { datastore: tempDatastore(), throwOnFailure: false });
    expect(run.successful).toBe(false);
    expect(run.error.message).toContain("failed in step 'start'");
  });

  test("@catch stores the error, keeps earlier assignments, and the run continues", async () => {
    const F = flowFrom(`export class F extends FlowSpec {
      @catchFailure({ var: "failure", printException: false }) @retry({ times: 1 }) @step start() {
        (this as any).before = "kept";
        throw new RangeError("nope");
        this.next(this.end);
      }
      @step end() { (this as any).sawFailure = (this as any).failure.message; }
    }`);
    const run = await F.run({}, { datastore: tempDatastore() });
    expect(run.successful).toBe(true);
    const data = await run.data();
    expect(data.before).toBe("kept");
    expect(data.sawFailure).toBe("nope");
    expect(data.failure).toMatchObject({ type: "RangeError", message: "nope" });
    expect(run.tasksOf("start")[0].attempts).toBe(2);
  });

  test("@catch sets its variable to null when the step succeeds (also before its last retry)", async () => {
    const F = flowFrom(`export class F extends FlowSpec {
      @catchFailure({ var: "failure" }) @retry({ times: 2 }) @step start() { this.next(this.end); }
      @step end() {}
    }`);
    expect((await (await F.run({}, { datastore: tempDatastore() })).data()).failure).toBeNull();
  });

  test("@timeout fails a step that runs too long", async () => {
    const F = flowFrom(`export class F extends FlowSpec {
      @timeout({ seconds: 0.05 }) @step async start() {
        await new Promise((resolve) => setTimeout(resolve, 300));
        this.next(this.end);
      }
      @step end() {}
    }`);
    const error = await F.run({}, { datastore: tempDatastore() }).catch((e: any) => e);
    expect(error.cause).toBeInstanceOf(StepTimeoutError);
    expect(error.cause.message).toMatch(/^Step 'start' \(F\/\d+\/start\/1\) timed out after 0\.05 s\. Make the step faster or raise its @timeout\.$/);
  });

  test("@environment sets variables during the step and restores them", async () => {
    delete process.env.WBFLOW_TEST_VAR;
    const F = flowFrom(`export class F extends FlowSpec {
      @environment({ vars: { WBFLOW_TEST_VAR: "on" } }) @step start() { (this as any).v = process.env.WBFLOW_TEST_VAR; this.next(this.end); }
      @step end() { (this as any).after = process.env.WBFLOW_TEST_VAR ?? null; }
    }`);
    expect(await (await F.run({}, { datastore: tempDatastore() })).data()).toEqual({ v: "on", after: null });
    expect(process.env.WBFLOW_TEST_VAR).toBeUndefined();
  });

  test("process-wide event listeners see the run's events in order", async () => {
    const F = flowFrom(`export class F extends FlowSpec {
      @step start() { (this as any).xs = [1, 2]; this.next(this.a, { foreach: "xs" }); }
      @step a() { this.next(this.j); } @step j(i: unknown) { this.next(this.end); } @step end() {}
    }`);
    const events: FlowEvent[] = [];
    const off = onFlowEvent((e) => events.push(e));
    await F.run({}, { datastore: tempDatastore() });
    off();
    expect(events[0]).toMatchObject({ type: "run-started", flowName: "F" });
    expect(events.at(-1)).toMatchObject({ type: "run-finished", successful: true });
    expect(events.filter((e) => e.type === "task-finished").map((e: any) => e.stepName)).toEqual(["start", "a", "a", "j", "end"]);
    expect(events.find((e: any) => e.type === "task-started" && e.stepName === "a")).toMatchObject({ foreachIndex: 0, foreachNumSplits: 2 });
  });
});
