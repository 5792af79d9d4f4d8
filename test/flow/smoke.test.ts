import { describe, expect, test } from "vitest";
import { COMPILE_MODES, loadFlowModule } from "./compile-flow.js";
import { tempDatastore } from "./helpers.js";

const source = `
import { FlowSpec, step, Parameter } from "wbflow";
export class SmokeFlow extends FlowSpec {
  alpha = Parameter("alpha", { default: 0.5 });
  items!: number[];
  total!: number;
  @step start() {
    this.items = [1, 2, 3];
    this.next(this.body, { foreach: "items" });
  }
  @step body() {
    this.total = (this.input as number) * this.alpha;
    this.next(this.join);
  }
  @step join(inputs: any) {
    this.total = inputs.reduce((s: number, i: any) => s + i.total, 0);
    this.next(this.end);
  }
  @step end() {}
}`;

describe.each(COMPILE_MODES)("$label", (mode) => {
  test("smoke", async () => {
    const { SmokeFlow } = loadFlowModule(source, mode);
    const run = await SmokeFlow.run({ alpha: 2 }, { datastore: tempDatastore() });
    expect(run.successful).toBe(true);
    expect(await run.data()).toMatchObject({ total: 12, alpha: 2 });
  });
});
