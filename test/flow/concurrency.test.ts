import { expect, test } from "vitest";
import { flowModule, tempDatastore } from "./helpers.js";

const source = `
  // The first tasks wait until \`target\` of them are inside the step at once, so the peak is exact.
  export const stats = { running: 0, peak: 0, target: 1 };
  let release: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  export class F extends FlowSpec {
    @step start() { (this as any).xs = [0, 1, 2, 3, 4, 5]; this.next(this.work, { foreach: "xs" }); }
    @step async work() {
      stats.running++;
      stats.peak = Math.max(stats.peak, stats.running);
      if (stats.running >= stats.target) release();
      console.log("working on " + this.input);
      await gate;
      stats.running--;
      this.next(this.join);
    }
    @step join(inputs: unknown) { this.next(this.end); }
    @step end() {}
  }`;

test.each([1, 2, 6])("foreach splits run concurrently, at most maxWorkers = %i at a time", async (maxWorkers) => {
  const { F, stats } = flowModule(source);
  stats.target = maxWorkers;
  await F.run({}, { datastore: tempDatastore(), maxWorkers });
  expect(stats.peak).toBe(maxWorkers);
});

test("output of concurrent tasks lands in each task's own log", async () => {
  const { F, stats } = flowModule(source);
  stats.target = 6;
  const store = tempDatastore();
  const run = await F.run({}, { datastore: store, maxWorkers: 6 });
  const logs = await Promise.all(
    run.tasksOf("work").map((t: any) => store.readLog({ flowName: "F", runId: run.runId, stepName: "work", taskId: t.taskId }, 0, "stdout")),
  );
  expect(logs).toEqual([0, 1, 2, 3, 4, 5].map((i) => `working on ${i}\n`));
});
