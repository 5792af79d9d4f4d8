/** One W&B run per attempt under `@retry`, and the exact lines a flow run prints. */
import path from "node:path";
import { afterEach, expect, test } from "vitest";
import { lineageOf, runNamed, runsByName, LEGACY } from "./fixtures.js";
import { loadFlows } from "./load-flows.js";
import { workspace, type Workspace } from "./workspace.js";

let ws: Workspace;
afterEach(() => ws.restore());

test("each attempt of a retried task is its own run; consumers use the successful attempt's version", async () => {
  ws = workspace("RetryFlow");
  (globalThis as Record<string, unknown>).__attempts = 0;
  const { RetryFlow } = loadFlows(
    `
import { FlowSpec, step, retry } from "wbflow";
import { wandb_log } from "wbflow/wandb";
import * as aq from "arquero";
@wandb_log({ datasets: true })
export class RetryFlow extends FlowSpec {
  @retry({ times: 1 })
  @step start() {
    const attempt = (globalThis as any).__attempts++;
    this.raw_df = aq.table({ attempt: [attempt] });
    if (attempt === 0) throw new Error("flaky source");
    this.next(this.end);
  }
  @step end() { this.seen = this.raw_df.get("attempt", 0); }
}`,
    LEGACY,
  );
  await RetryFlow.run({}, { datastore: ws.datastore });
  const runs = await runsByName(ws, "RetryFlow");
  expect([...runs.keys()].sort()).toEqual(["end/2", "start/1", "start/1 (retry 1)"]);
  const [failed, retried, end] = [runNamed(runs, "start/1"), runNamed(runs, "start/1 (retry 1)"), runNamed(runs, "end/2")];
  expect([failed.state, retried.state, end.state]).toEqual(["failed", "finished", "finished"]);
  expect(end.summary).toMatchObject({ seen: 1 });
  expect(lineageOf(await ws.api.artifact("raw_df:v0"))).toEqual({ producer: failed.id, consumers: [] });
  expect(lineageOf(await ws.api.artifact("raw_df:v1"))).toEqual({ producer: retried.id, consumers: [end.id] });
});

test("a flow run prints one line per used and logged artifact and one per task run, nothing else", async () => {
  ws = workspace("LinesFlow");
  const { LinesFlow } = loadFlows(
    `
import { FlowSpec, step } from "wbflow";
import { wandb_log } from "wbflow/wandb";
import * as aq from "arquero";
@wandb_log({ datasets: true })
export class LinesFlow extends FlowSpec {
  @step start() { this.raw_df = aq.table({ x: [1, 2, 3] }); this.score = 1; this.next(this.end); }
  @step end() { this.rows = this.raw_df.numRows(); }
}`,
    LEGACY,
  );
  const flowRun = await LinesFlow.run({}, { datastore: ws.datastore });
  const runs = await runsByName(ws, "LinesFlow");
  const version = await ws.api.artifact("raw_df:v0");
  const size = `${version.size} B`;
  const start = runNamed(runs, "start/1");
  const end = runNamed(runs, "end/2");
  expect(ws.lines).toEqual([
    `wandb: start/1 logged raw_df:v0 (dataset, ${size})`,
    `wandb: LinesFlow/${flowRun.runId}/start/1 -> run ${start.id}, offline in ${start.dir}`,
    `wandb: end/2 used raw_df:v0 (dataset, ${size})`,
    `wandb: LinesFlow/${flowRun.runId}/end/2 -> run ${end.id}, offline in ${end.dir}`,
  ]);
  // Each task's metadata records its run and the exact version it logged per attribute.
  const task = (stepName: string, taskId: string) => ws.datastore.readTask({ flowName: "LinesFlow", runId: flowRun.runId, stepName, taskId });
  expect((await task("start", "1")).metadata["wandb"]).toEqual({
    run: {
      id: start.id,
      project: "LinesFlow",
      group: `LinesFlow/${flowRun.runId}`,
      jobType: "start",
      dir: start.dir,
      exitCode: 0,
      mode: "offline",
      wandbDir: path.dirname(start.dir),
    },
    artifacts: { raw_df: { name: "raw_df", type: "dataset", version: "v0", project: "LinesFlow", digest: version.digest } },
  });
  expect((await task("end", "2")).metadata["wandb"]).toMatchObject({ run: { id: end.id }, artifacts: {} });
});
