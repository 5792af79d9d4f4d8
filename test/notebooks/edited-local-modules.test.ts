/**
 * The edit loop docs/notebook.md promises for `%%writefile`: re-run the edited file's cell, then the
 * import cell, and the kernel runs the new code, also when the edited file is one the imported
 * module imports (real Jupyter, nbconvert).
 */
import { afterAll, beforeAll, expect, test } from "vitest";
import { JupyterSandbox, errorOutputs, notebookOf } from "./jupyter-harness.js";
import type { Notebook } from "../../scripts/jupyter-client/notebook-file.js";

const HEAVY_TEST_MS = 600_000;
let sandbox: JupyterSandbox;

beforeAll(() => {
  sandbox = new JupyterSandbox();
});
afterAll(async () => {
  await sandbox.dispose();
});

function stdoutOf(notebook: Notebook, index: number): string {
  return (notebook.cells[index]!.outputs ?? [])
    .map((o) => (o.output_type === "stream" && o.name === "stdout" ? String(o.text) : ""))
    .join("");
}

test("after %%writefile edits a file a local flow module imports, re-importing runs the new code", async () => {
  const flowModule = `%%writefile flows/word_flow.ts
import { FlowSpec, step } from "wbflow";
import { word } from "./words/word";
export class WordFlow extends FlowSpec {
  @step start() { console.log("the word is", word); this.next(this.end); }
  @step end() {}
}`;
  const run = `import { WordFlow } from "./flows/word_flow";\n%flow run WordFlow`;
  const executed = await sandbox.nbconvert(
    notebookOf(
      `%%writefile flows/words/word.ts\nexport const word = "first";`,
      flowModule,
      run,
      `%%writefile flows/words/word.ts\nexport const word = "second";`,
      run,
    ),
  );
  expect(errorOutputs(executed)).toEqual([]);
  expect(stdoutOf(executed, 2)).toContain("the word is first");
  expect(stdoutOf(executed, 4)).toContain("the word is second");
}, HEAVY_TEST_MS);
