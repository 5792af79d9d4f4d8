/**
 * The three examples of W&B's Metaflow integration documentation — decorate a step, decorate the
 * flow, decorate the flow and override a step — in both decorator conventions, asserting the exact
 * runs, config, summary, artifacts, versions and lineage edges read back from offline storage.
 */
import { afterEach, describe, expect, test } from "vitest";
import { artifactMissing, LINEAR_MODEL, lineageOf, runNamed, runsByName, userSummary } from "./fixtures.js";
import { COMPILE_MODES, loadFlows } from "./load-flows.js";
import { workspace, type Workspace } from "./workspace.js";

let ws: Workspace;
afterEach(() => ws.restore());

const HEADER = `
import { FlowSpec, step, Parameter } from "wbflow";
import { wandb_log } from "wbflow/wandb";
import * as aq from "arquero";
${LINEAR_MODEL}
`;

describe.each(COMPILE_MODES)("$label", (mode) => {
  test("decorating a step logs that step's datasets and models, and nothing else", async () => {
    ws = workspace("WandbExampleFlow");
    const { WandbExampleFlow } = loadFlows(
      `${HEADER}
export class WandbExampleFlow extends FlowSpec {
  alpha = Parameter("alpha", { default: 0.5 });
  @wandb_log({ datasets: true, models: true })
  @step start() {
    this.raw_df = aq.table({ x: [1, 2, 3], y: [2, 4, 6] });
    this.model_file = new LinearModel([this.alpha, 1]);
    this.next(this.transform);
  }
  @step transform() {
    this.rows = this.raw_df.numRows();
    this.next(this.end);
  }
  @step end() {}
}`,
      mode,
    );
    const flowRun = await WandbExampleFlow.run({ alpha: 0.1 }, { datastore: ws.datastore });
    const runs = await runsByName(ws, "WandbExampleFlow");
    expect([...runs.keys()]).toEqual(["start/1"]);
    const start = runNamed(runs, "start/1");
    expect(start).toMatchObject({ group: `WandbExampleFlow/${flowRun.runId}`, jobType: "start", state: "finished", config: { alpha: 0.1 } });
    expect(userSummary(start)).toEqual({});
    const rawDf = await ws.api.artifact("raw_df:latest");
    expect(rawDf).toMatchObject({ type: "dataset", version: "v0", metadata: { shape: [3, 2] } });
    expect(rawDf.files().map((f) => f.path)).toEqual(["raw_df.parquet"]);
    expect(lineageOf(rawDf)).toEqual({ producer: start.id, consumers: [] });
    const model = await ws.api.artifact("model_file:latest");
    expect(model).toMatchObject({ type: "model", version: "v0" });
    expect(model.files().map((f) => f.path).sort()).toEqual(["wbflow-model.json", "weights.json"]);
    expect(lineageOf(model)).toEqual({ producer: start.id, consumers: [] });
  });

  test("decorating the flow logs every step, with lineage from start to the steps that read its artifacts", async () => {
    ws = workspace("WandbExampleFlow");
    const { WandbExampleFlow } = loadFlows(
      `${HEADER}
@wandb_log({ datasets: true, models: true })
export class WandbExampleFlow extends FlowSpec {
  alpha = Parameter("alpha", { default: 0.5 });
  @step start() {
    this.raw_df = aq.table({ x: [1, 2, 3], y: [2, 4, 6] });
    this.model_file = new LinearModel([this.alpha, 1]);
    this.next(this.transform);
  }
  @step transform() {
    this.accuracy = this.model_file.w[0] * this.raw_df.numRows();
    this.next(this.end);
  }
  @step end() {}
}`,
      mode,
    );
    const flowRun = await WandbExampleFlow.run({}, { datastore: ws.datastore });
    const runs = await runsByName(ws, "WandbExampleFlow");
    expect([...runs.keys()].sort()).toEqual(["end/3", "start/1", "transform/2"]);
    for (const [name, run] of runs) {
      expect(run).toMatchObject({ group: `WandbExampleFlow/${flowRun.runId}`, jobType: name.split("/")[0], state: "finished", config: { alpha: 0.5 } });
    }
    const [start, transform, end] = ["start/1", "transform/2", "end/3"].map((n) => runNamed(runs, n));
    expect(userSummary(transform!)).toEqual({ accuracy: 1.5 });
    expect(userSummary(end!)).toEqual({});
    expect(lineageOf(await ws.api.artifact("raw_df:v0"))).toEqual({ producer: start!.id, consumers: [transform!.id] });
    expect(lineageOf(await ws.api.artifact("model_file:v0"))).toEqual({ producer: start!.id, consumers: [transform!.id] });
    expect(await artifactMissing(ws, "accuracy:latest")).toBe(true);
  });

  test("a step's own @wandb_log overrides the flow's, whatever the decorator order", async () => {
    ws = workspace("WandbExampleFlow");
    const { WandbExampleFlow } = loadFlows(
      `${HEADER}
@wandb_log({ datasets: true, models: true })
export class WandbExampleFlow extends FlowSpec {
  @step start() {
    this.raw_df = aq.table({ x: [1, 2, 3] });
    this.model_file = new LinearModel([1]);
    this.next(this.mid);
  }
  @step mid() {
    this.raw_df = this.raw_df.derive({ x: (d) => d.x * 2 });
    this.model_file = new LinearModel([2]);
    this.next(this.end);
  }
  @step
  @wandb_log({ datasets: false, models: false })
  end() {
    this.raw_df = aq.table({ x: [7] });
    this.model_file = new LinearModel([3]);
  }
}`,
      mode,
    );
    await WandbExampleFlow.run({}, { datastore: ws.datastore });
    const runs = await runsByName(ws, "WandbExampleFlow");
    const [start, mid, end] = ["start/1", "mid/2", "end/3"].map((n) => runNamed(runs, n));
    // mid reads raw_df (an input) but only assigns model_file.
    expect(lineageOf(await ws.api.artifact("raw_df:v0"))).toEqual({ producer: start!.id, consumers: [mid!.id] });
    expect(lineageOf(await ws.api.artifact("model_file:v0"))).toEqual({ producer: start!.id, consumers: [] });
    for (const name of ["raw_df", "model_file"]) {
      expect(lineageOf(await ws.api.artifact(`${name}:v1`))).toEqual({ producer: mid!.id, consumers: [] });
      expect(await artifactMissing(ws, `${name}:v2`)).toBe(true);
    }
    expect(end!.state).toBe("finished");
    expect(userSummary(end!)).toEqual({});
    expect(await (await ws.api.artifact("model_file:v1")).load()).toMatchObject({ w: [2] });
  });
});
