/**
 * The ARCHITECTURE.md notebook example, field declarations included, in every compile mode: declared
 * (`raw_df!: ...`) but unassigned attributes must not show up as logged values.
 */
import { afterEach, describe, expect, test } from "vitest";
import { LINEAR_MODEL, lineageOf, runNamed, runsByName, userSummary } from "./fixtures.js";
import { COMPILE_MODES, loadFlows } from "./load-flows.js";
import { workspace, type Workspace } from "./workspace.js";

let ws: Workspace;
afterEach(() => ws.restore());

describe.each(COMPILE_MODES)("$label", (mode) => {
  test("the architecture example logs config, summary, dataset and model with lineage", async () => {
    ws = workspace("WandbExampleFlow");
    const { WandbExampleFlow } = loadFlows(
      `
import { FlowSpec, step, Parameter } from "wbflow";
import { wandb_log } from "wbflow/wandb";
import * as aq from "arquero";
${LINEAR_MODEL}
function fitLinear(table: aq.ColumnTable, alpha: number): LinearModel {
  return new LinearModel([alpha, table.numRows()]);
}
@wandb_log({ datasets: true, models: true })
export class WandbExampleFlow extends FlowSpec {
  alpha = Parameter("alpha", { default: 0.5, help: "learning rate" });
  raw_df!: aq.ColumnTable;
  model!: LinearModel;
  accuracy!: number;

  @step start() {
    this.raw_df = aq.table({ x: [1, 2, 3], y: [2, 4, 6] });
    this.next(this.train);
  }
  @step train() {
    this.model = fitLinear(this.raw_df, this.alpha);
    this.accuracy = 0.93;
    this.next(this.end);
  }
  @wandb_log({ datasets: false, models: false })
  @step end() {}
}`,
      mode,
    );
    await WandbExampleFlow.run({ alpha: 0.1 }, { datastore: ws.datastore });
    const runs = await runsByName(ws, "WandbExampleFlow");
    const [start, train, end] = ["start/1", "train/2", "end/3"].map((n) => runNamed(runs, n));
    expect([start, train, end].map((r) => r!.config)).toEqual([{ alpha: 0.1 }, { alpha: 0.1 }, { alpha: 0.1 }]);
    expect([start, train, end].map((r) => userSummary(r!))).toEqual([{}, { accuracy: 0.93 }, {}]);
    expect(lineageOf(await ws.api.artifact("raw_df:v0"))).toEqual({ producer: start!.id, consumers: [train!.id] });
    expect(lineageOf(await ws.api.artifact("model:v0"))).toEqual({ producer: train!.id, consumers: [] });
    expect(await (await ws.api.artifact("model:v0")).load()).toMatchObject({ w: [0.1, 3] });
  });
});
