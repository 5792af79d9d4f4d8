/**
 * Which reads make `@wandb_log` look up the producing task's metadata: a primitive can only have been
 * a summary value, so reading one costs no datastore read; anything else is looked up and, when its
 * producer logged it, used at its exact version.
 */
import { afterEach, expect, test, vi } from "vitest";
import { lineageOf, runNamed, runsByName, LEGACY } from "./fixtures.js";
import { loadFlows } from "./load-flows.js";
import { workspace, type Workspace } from "./workspace.js";

let ws: Workspace;
afterEach(() => {
  vi.restoreAllMocks();
  ws.restore();
});

const SOURCE = `
import { FlowSpec, step } from "wbflow";
import { wandb_log } from "wbflow/wandb";
import * as aq from "arquero";

@wandb_log({ datasets: true })
export class LookupFlow extends FlowSpec {
  @step start() {
    this.epochs = 3;
    this.label = "first";
    this.scores = [1, 2];
    this.raw_df = aq.table({ x: [1, 2, 3] });
    this.next(this.scalars);
  }
  @step scalars() {
    this.total = this.epochs * 2 + this.label.length;
    this.next(this.tables);
  }
  @step tables() {
    this.rows = this.raw_df.numRows() + this.scores.length;
    this.next(this.end);
  }
  @step end() {}
}`;

test("reading only primitives reads no producer metadata; a dataset read is looked up and used at its version", async () => {
  ws = workspace("LookupFlow");
  const { LookupFlow } = loadFlows(SOURCE, LEGACY);
  const readTask = vi.spyOn(ws.datastore, "readTask");
  await LookupFlow.run({}, { datastore: ws.datastore });

  // The engine itself reads the _parameters task; the integration's lookups are of step tasks.
  const lookedUp = readTask.mock.calls.map(([task]) => `${task.stepName}/${task.taskId}`).filter((name) => !name.startsWith("_"));
  // scalars read epochs and label (primitives): no lookup; tables read raw_df and scores from start.
  expect(lookedUp).toEqual(["start/1"]);

  const runs = await runsByName(ws, "LookupFlow");
  expect(runNamed(runs, "scalars/2").summary).toMatchObject({ total: 11 });
  expect(lineageOf(await ws.api.artifact("raw_df:v0"))).toEqual({
    producer: runNamed(runs, "start/1").id,
    consumers: [runNamed(runs, "tables/3").id],
  });
});

const FAN_OUT_SOURCE = `
import { FlowSpec, step } from "wbflow";
import { wandb_log } from "wbflow/wandb";
import * as aq from "arquero";

@wandb_log({ datasets: true })
export class SharedInputFlow extends FlowSpec {
  @step start() {
    this.raw_df = aq.table({ x: [1, 2, 3] });
    this.next(this.a);
  }
  @step a() { this.rows_a = this.raw_df.numRows(); this.next(this.b); }
  @step b() { this.rows_b = this.raw_df.numRows(); this.next(this.c); }
  @step c() { this.rows_c = this.raw_df.numRows(); this.next(this.end); }
  @step end() {}
}`;

test("a producer read by many later steps has its metadata read from the store once per run", async () => {
  ws = workspace("SharedInputFlow");
  const { SharedInputFlow } = loadFlows(FAN_OUT_SOURCE, LEGACY);
  const readTask = vi.spyOn(ws.datastore, "readTask");
  await SharedInputFlow.run({}, { datastore: ws.datastore });

  const lookedUp = readTask.mock.calls.map(([task]) => `${task.stepName}/${task.taskId}`).filter((name) => !name.startsWith("_"));
  expect(lookedUp).toEqual(["start/1"]);
  const runs = await runsByName(ws, "SharedInputFlow");
  expect(lineageOf(await ws.api.artifact("raw_df:v0"))).toEqual({
    producer: runNamed(runs, "start/1").id,
    consumers: ["a/2", "b/3", "c/4"].map((name) => runNamed(runs, name).id).sort(),
  });
});
