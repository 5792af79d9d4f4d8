import { expect, test } from "vitest";
import { ResumeError } from "../../src/flow/errors.js";
import { flowModule, tempDatastore } from "./helpers.js";

const source = (failing: string) => `
  export const executed: string[] = [];
  export class F extends FlowSpec {
    alpha = Parameter("alpha", { default: 1 });
    @step start() { executed.push("start"); (this as any).xs = [1, 2, 3, 4]; this.next(this.body, { foreach: "xs" }); }
    @step body() {
      executed.push("body" + this.index);
      if (${failing}) throw new Error("split " + this.index + " broke");
      (this as any).y = (this.input as number) * this.alpha;
      this.next(this.join);
    }
    @step join(inputs: any) { executed.push("join"); (this as any).ys = inputs.map((i: any) => i.y); (this as any).origin = current.originRunId ?? null; this.next(this.end); }
    @step end() { executed.push("end"); }
  }`;

test("resume clones finished tasks by pathspec index and re-runs the failed split and everything after it", async () => {
  const store = tempDatastore();
  const broken = flowModule(source("this.index === 2"));
  const error = await broken.F.run({ alpha: 10 }, { datastore: store, maxWorkers: 4 }).catch((e: any) => e);
  expect(error.name).toBe("FlowRunError");
  const originRunId = error.runId;

  const fixed = flowModule(source("false"));
  const run = await fixed.F.resume({ datastore: store });
  expect(run.successful).toBe(true);
  expect(run.originRunId).toBe(originRunId);
  expect(fixed.executed).toEqual(["body2", "join", "end"]);
  const data = await run.data();
  expect(data.ys).toEqual([10, 20, 30, 40]); // parameters come from the origin run
  expect(data.origin).toBe(originRunId);
  const cloned = run.tasks.filter((t: any) => t.cloned).map((t: any) => t.pathspecIndex);
  expect(cloned.sort()).toEqual(["body[0][]", "body[1][]", "body[3][]", "start[][]"]);
  expect(await store.latestRunId("F")).toBe(run.runId);
  const clone = await store.readTask({ flowName: "F", runId: run.runId, stepName: "start", taskId: run.tasksOf("start")[0].taskId });
  expect(clone.metadata).toMatchObject({ originRunId, originTaskId: "1" });
});

test("resume from a named step re-runs it and everything downstream", async () => {
  const store = tempDatastore();
  const first = flowModule(source("false"));
  const done = await first.F.run({}, { datastore: store });
  const again = flowModule(source("false"));
  const run = await again.F.resume({ datastore: store, originRunId: done.runId, step: "join" });
  expect(again.executed).toEqual(["join", "end"]);
  expect((await run.data()).ys).toEqual([1, 2, 3, 4]);
});

test("resume errors are clear", async () => {
  const { F } = flowModule(source("false"));
  await expect(F.resume({ datastore: tempDatastore() })).rejects.toThrow(ResumeError);
  const store = tempDatastore();
  const done = await F.run({}, { datastore: store });
  await expect(F.resume({ datastore: store, originRunId: done.runId, step: "nope" })).rejects.toThrow(
    "Cannot resume flow F from step 'nope': the flow has no such step. Steps: start, body, join, end.",
  );
  await expect(F.resume({ datastore: store, originRunId: "123" })).rejects.toThrow(/Cannot resume flow F: run 123 was not found/);
});

test("resume re-runs, instead of cloning, tasks whose transition no longer fits the changed code", async () => {
  const store = tempDatastore();
  const before = flowModule(`
    export class G extends FlowSpec {
      @step start() { (this as any).v = 1; this.next(this.end); }
      @step end() { throw new Error("not yet"); }
    }`);
  const failed = await before.G.run({}, { datastore: store }).catch((e: any) => e);
  const after = flowModule(`
    export const executed: string[] = [];
    export class G extends FlowSpec {
      @step start() { executed.push("start"); (this as any).v = 2; this.next(this.middle); }
      @step middle() { executed.push("middle"); this.next(this.end); }
      @step end() { executed.push("end"); }
    }`);
  const run = await after.G.resume({ datastore: store, originRunId: failed.runId });
  expect(after.executed).toEqual(["start", "middle", "end"]);
  expect(await run.artifact("v")).toBe(2);
});

test("resume of a loop clones the finished iterations and continues from the failed one", async () => {
  const store = tempDatastore();
  const source = (limit: number) => `
    export const executed: number[] = [];
    export class L extends FlowSpec {
      @step start() { (this as any).n = 0; this.next(this.loop); }
      @step loop() {
        (this as any).n += 1;
        executed.push((this as any).n);
        if ((this as any).n === ${limit}) throw new Error("stop at " + (this as any).n);
        (this as any).more = (this as any).n < 4 ? "again" : "done";
        this.next({ again: this.loop, done: this.end }, { condition: "more" });
      }
      @step end() {}
    }`;
  const first = flowModule(source(3));
  const failed = await first.L.run({}, { datastore: store }).catch((e: any) => e);
  expect(first.executed).toEqual([1, 2, 3]);
  const second = flowModule(source(99));
  const run = await second.L.resume({ datastore: store, originRunId: failed.runId });
  expect(second.executed).toEqual([3, 4]);
  expect(await run.artifact("n")).toBe(4);
});
