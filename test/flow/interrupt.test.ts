import { expect, test } from "vitest";
import { flowModule, tempDatastore } from "./helpers.js";

test("an aborted signal stops the run after the running tasks; what finished is saved and resume continues", async () => {
  const source = `
    export const done: number[] = [];
    export const hooks = { onFirst: () => {} };
    export class F extends FlowSpec {
      @step start() { (this as any).xs = [0, 1, 2, 3]; this.next(this.work, { foreach: "xs" }); }
      @step work() { done.push(this.input as number); if (this.index === 0) hooks.onFirst(); (this as any).y = this.input; this.next(this.join); }
      @step join(inputs: any) { (this as any).ys = inputs.map((i: any) => i.y); this.next(this.end); }
      @step end() {}
    }`;
  const first = flowModule(source);
  const controller = new AbortController();
  first.hooks.onFirst = () => controller.abort(new Error("user pressed stop"));
  const store = tempDatastore();
  const error = await first.F.run({}, { datastore: store, maxWorkers: 1, signal: controller.signal }).catch((e: any) => e);
  expect(error.name).toBe("FlowRunError");
  expect(error.message).toMatch(/^Flow F run \d+ was interrupted before it finished\. Tasks that finished are saved; continue with F\.resume\(\)\.$/);
  expect(first.done).toEqual([0]);
  expect(error.run.tasksOf("work").map((t: any) => t.ok)).toEqual([true]);

  const second = flowModule(source);
  const resumed = await second.F.resume({ datastore: store, originRunId: error.runId });
  expect(second.done).toEqual([1, 2, 3]);
  expect((await resumed.data()).ys).toEqual([0, 1, 2, 3]);
});
