/**
 * Worker processes from a notebook, through real Jupyter (nbconvert): a flow written to a module with
 * `%%writefile`, imported in the next cell, run with `executor: "processes"` and with
 * `%flow run ... --executor processes` (live view and report).
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { JupyterSandbox, errorOutputs, mimeText, notebookOf, outputsOf } from "./jupyter-harness.js";

const FLOW_FILE = `%%writefile fanout_flow.ts
import { FlowSpec, step } from "wbflow";
export class FanOut extends FlowSpec {
  @step start() { (this as any).xs = [1, 2, 3]; this.next(this.square, { foreach: "xs" }); }
  @step square() {
    (this as any).y = (this.input as number) ** 2;
    (this as any).pid = process.pid;
    console.log("squared " + this.input);
    this.next(this.join);
  }
  @step join(inputs: any) {
    (this as any).ys = inputs.map((i: any) => i.y);
    (this as any).pids = inputs.map((i: any) => i.pid);
    this.next(this.end);
  }
  @step end() {}
}`;

let sandbox: JupyterSandbox;
beforeAll(() => {
  sandbox = new JupyterSandbox();
});
afterAll(async () => {
  await sandbox.dispose();
});

it("a %%writefile flow module runs in worker processes from the notebook, with its output and the live view", async () => {
  const executed = await sandbox.nbconvert(
    notebookOf(
      FLOW_FILE,
      `import { FanOut } from "./fanout_flow";`,
      `const run = await FanOut.run({}, { executor: "processes", maxWorkers: 2 });
const data = await run.data();
console.log("ys", JSON.stringify(data.ys), "in workers", (data.pids as number[]).every((pid) => pid !== process.pid));`,
      `%flow run FanOut --executor processes --max-workers 2`,
    ),
  );
  expect(errorOutputs(executed)).toEqual([]);
  expect(mimeText(executed, 0, "text/plain")).toBe("Writing fanout_flow.ts");
  const printed = mimeText(executed, 2, "stream");
  expect(printed).toContain("ys [1,4,9] in workers true");
  expect(printed).toContain("squared 2"); // a worker's output, printed live in the cell
  const report = outputsOf(executed, 3).flatMap((o) => ("data" in o ? [String(o.data["text/html"] ?? "")] : [])).join("\n");
  expect(report).toContain("<svg");
}, 600_000);
