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
