import { expect, test } from "vitest";
import { current } from "../../src/flow/task/current.js";
import { flowFrom, tempDatastore } from "./helpers.js";

test("current is correct per task while parallel branches await", async () => {
  const F = flowFrom(`
    const tick = () => new Promise((r) => setImmediate(r));
    export class F extends FlowSpec {
      @step start() { (this as any).xs = [0, 1, 2, 3]; this.next(this.work, { foreach: "xs" }); }
      @step async work() {
        const seen: string[] = [];
        for (let i = 0; i < 5; i++) { seen.push(current.stepName + "/" + current.taskId); await tick(); }
        (this as any).seen = seen;
        (this as any).me = current.pathspec;
        this.next(this.join);
      }
      @step join(inputs: any) { (this as any).all = inputs.map((i: any) => [i.seen, i.me]); this.next(this.end); }
      @step end() {
        (this as any).facts = [current.isRunningFlow, current.flowName, current.stepName, current.retryCount, current.originRunId ?? null,
          current.parameterNames, current.username, current.tags, current.graph.endStep];
      }
    }`);
  const run = await F.run({}, { datastore: tempDatastore(), maxWorkers: 4, tags: ["t1"], userName: "tester" });
  const data = await run.data();
  const ids = run.tasksOf("work").map((t: any) => t.taskId);
  expect(data.all.map(([seen]: [string[]]) => new Set(seen).size)).toEqual([1, 1, 1, 1]);
  expect(data.all.map(([seen]: [string[]]) => seen[0])).toEqual(ids.map((id: string) => `work/${id}`));
  expect(data.all.map(([, me]: [unknown, string]) => me)).toEqual(ids.map((id: string) => `F/${run.runId}/work/${id}`));
  expect(data.facts).toEqual([true, "F", "end", 0, null, [], "tester", ["t1"], "end"]);
  expect(current.isRunningFlow).toBe(false);
  expect(current.stepName).toBeUndefined();
  expect(() => current.graph).toThrow("current.graph is only available inside a running step.");
});

test("task middleware sees reads with producers, writes, values, metadata and exceptions", async () => {
  const module = `
    export const log: any[] = [];
    const probe = defineStepDecorator({
      name: "probe",
      defaults: { note: "" },
      async middleware(ctx: any, next: any) {
        ctx.artifacts.onRead((r: any) => log.push(["read", ctx.stepName, r.name, r.record.producedBy.split("/")[2], r.source.kind]));
        ctx.artifacts.onWrite((name: string) => log.push(["write", ctx.stepName, name]));
        ctx.addMetadata("probe", { note: ctx.decoratorOptions.note, params: ctx.parameters, retry: ctx.retryCount, index: ctx.foreachIndex ?? null });
        try {
          await next();
          log.push(["written", ctx.stepName, [...ctx.artifacts.written()]]);
        } catch (error: any) {
          log.push(["failed", ctx.stepName, error.message]);
          throw error;
        }
        if (ctx.stepName === "join") log.push(["upstream", await ctx.readTaskMetadata(ctx.pathspec.replace(/join\\/\\d+$/, "start/1"))]);
      },
    });
    @probe({ note: "flow" })
    export class F extends FlowSpec {
      alpha = Parameter("alpha", { default: 3 });
      @step start() { (this as any).x = this.alpha; this.next(this.a, this.b); }
      @step a() { (this as any).y = (this as any).x + 1; this.next(this.join); }
      @step b() { this.next(this.join); }
      @step join(inputs: any) { (this as any).z = inputs.a.y; this.next(this.end); }
      @step end() {}
    }
    export class G extends FlowSpec {
      @probe @step start() { throw new Error("inside"); this.next(this.end); }
      @step end() {}
    }`;
  const { F, G, log } = (await import("./helpers.js")).flowModule(module);
  const store = tempDatastore();
  const run = await F.run({}, { datastore: store, maxWorkers: 1 });
  expect(log).toContainEqual(["read", "start", "alpha", "_parameters", "self"]);
  expect(log).toContainEqual(["read", "a", "x", "start", "self"]);
  expect(log).toContainEqual(["write", "a", "y"]);
  expect(log).toContainEqual(["written", "a", [["y", 4]]]);
  expect(log).toContainEqual(["read", "join", "y", "a", "input"]);
  const upstream = log.find((e: any[]) => e[0] === "upstream");
  expect(upstream[1].probe).toEqual({ note: "flow", params: { alpha: 3 }, retry: 0, index: null });
  const stored = await store.readTask({ flowName: "F", runId: run.runId, stepName: "a", taskId: run.tasksOf("a")[0].taskId });
  expect(stored.metadata.probe).toMatchObject({ note: "flow" });
  await expect(G.run({}, { datastore: store })).rejects.toThrow("failed in step 'start'");
  expect(log).toContainEqual(["failed", "start", "inside"]);
});

test("console output inside a task is captured into the task's log and still written", async () => {
  const F = flowFrom(`export class F extends FlowSpec {
    @step start() { console.log("hello from start"); console.error("warn from start"); this.next(this.end); }
    @step end() {}
  }`);
  const store = tempDatastore();
  const run = await F.run({}, { datastore: store });
  const key = { flowName: "F", runId: run.runId, stepName: "start", taskId: "1" };
  expect(await store.readLog(key, 0, "stdout")).toBe("hello from start\n");
  expect(await store.readLog(key, 0, "stderr")).toBe("warn from start\n");
  const task = await run.client().step("start").firstTask();
  expect(task).toBeDefined();
});

test("a class defined once can run many times; a redefined class with the same name runs its new code", async () => {
  const store = tempDatastore();
  const first = flowFrom(`export class F extends FlowSpec { @step start() { (this as any).v = 1; this.next(this.end); } @step end() {} }`);
  const r1 = await first.run({}, { datastore: store });
  const r2 = await first.run({}, { datastore: store });
  expect(Number(r2.runId)).toBeGreaterThan(Number(r1.runId));
  const second = flowFrom(`export class F extends FlowSpec { @step start() { (this as any).v = 2; this.next(this.mid); } @step mid() { this.next(this.end); } @step end() {} }`);
  expect((await (await second.run({}, { datastore: store })).data()).v).toBe(2);
  expect(await store.latestRunId("F")).not.toBe(r1.runId);
});
