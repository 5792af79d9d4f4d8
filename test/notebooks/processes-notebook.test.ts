/**
 * Worker processes from a notebook, through real Jupyter (nbconvert): a flow written to a module with
 * `%%writefile`, imported in the next cell, run with `executor: "processes"` and with
 * `%flow run ... --executor processes` (live view and report).
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { FANOUT_FLOW_CELL } from "./fanout-flow-cell.js";
import { JupyterSandbox, errorOutputs, mimeText, notebookOf, outputsOf } from "./jupyter-harness.js";

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
      FANOUT_FLOW_CELL,
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

const editedFlow = (label: string) => `%%writefile edited_flow.ts
import { FlowSpec, step } from "wbflow";
export class Edited extends FlowSpec {
  @step start() { (this as any).xs = [1, 2]; this.next(this.mark, { foreach: "xs" }); }
  @step mark() { (this as any).label = "${label}"; (this as any).pid = process.pid; this.next(this.join); }
  @step join(inputs: any) {
    (this as any).labels = inputs.map((i: any) => i.label);
    (this as any).pids = inputs.map((i: any) => i.pid);
    this.next(this.end);
  }
  @step end() {}
}`;

it("a second run in the kernel reuses the warm workers; after %%writefile edits the module, the next run uses the new code", async () => {
  const runCell = (name: string) => `const ${name}Run = await Edited.run({}, { executor: "processes", maxWorkers: 2 });
const ${name} = await ${name}Run.data();
console.log("${name}", JSON.stringify(${name}.labels));`;
  const executed = await sandbox.nbconvert(
    notebookOf(
      editedFlow("old"),
      `import { Edited } from "./edited_flow";`,
      runCell("first"),
      runCell("second"),
      editedFlow("new"),
      runCell("third"),
      `const [one, two, three] = [first, second, third].map((data) => data.pids as number[]);
console.log("warm", two.every((pid) => one.includes(pid)), "fresh", three.every((pid) => !one.includes(pid)));`,
    ),
  );
  expect(errorOutputs(executed)).toEqual([]);
  expect(mimeText(executed, 2, "stream")).toContain(`first ["old","old"]`);
  expect(mimeText(executed, 3, "stream")).toContain(`second ["old","old"]`);
  expect(mimeText(executed, 4, "text/plain")).toBe("Overwriting edited_flow.ts");
  expect(mimeText(executed, 5, "stream")).toContain(`third ["new","new"]`);
  expect(mimeText(executed, 6, "stream")).toContain("warm true fresh true");
}, 600_000);
