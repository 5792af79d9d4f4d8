/**
 * The README's tour as a notebook user pastes it: the same code block, one cell, in the real kernel
 * through nbconvert (test/docs-tour.test.ts runs it as a script). tslab compiles cells its own way
 * (top-level await, decorators), so a tour that runs as a script may still fail in a cell.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { JupyterSandbox, errorOutputs, mimeText, notebookOf } from "./jupyter-harness.js";

const readme = readFileSync(path.join(import.meta.dirname, "..", "..", "README.md"), "utf8");
const tour = /^## A tour\n[\s\S]*?^```ts\n([\s\S]*?)^```/m.exec(readme)?.[1];

let sandbox: JupyterSandbox;
beforeAll(() => {
  sandbox = new JupyterSandbox();
});
afterAll(async () => {
  await sandbox.dispose();
});

it("the README's tour runs in a notebook cell and reads its runs back", async () => {
  expect(tour, 'README.md has a "## A tour" section with a ```ts block').toBeDefined();
  const executed = await sandbox.nbconvert(
    notebookOf(tour!, `console.log("TOUR", runs.length, (table as { numRows(): number }).numRows(), data!.accuracy);`),
    { allowErrors: true },
  );
  expect(errorOutputs(executed)).toEqual([]);
  expect(mimeText(executed, 1, "stream")).toContain("TOUR 3 3 0.9666666666666667");
}, 600_000);
