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
