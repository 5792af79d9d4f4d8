/**
 * Every notebook in notebooks/ executes without error, twice: with `jupyter nbconvert --execute` and
 * through `jupyter server` + `@jupyterlab/services`. The outputs are checked: tables, links or run
 * directories, and well-formed SVG graphs.
 */
import { readdirSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readNotebook, type Notebook } from "../../scripts/jupyter-client/notebook-file.js";
import { branches, quickstart } from "../../scripts/notebooks/build-notebooks.js";
import { parseXmlRoot } from "../display/well-formed-xml.js";
import { JupyterSandbox, errorOutputs } from "./jupyter-harness.js";

/** Executing a whole notebook on a loaded 2-core machine can take minutes; it never asserts time. */
const HEAVY_TEST_MS = 600_000;
const notebooksDir = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..", "..", "notebooks");

/** All HTML and SVG the notebook shows, in order. */
function rendered(notebook: Notebook): string {
  return notebook.cells
    .flatMap((cell) => cell.outputs ?? [])
    .flatMap((o) => ("data" in o ? [o.data["text/html"], o.data["image/svg+xml"]] : []))
    .filter((v): v is string => typeof v === "string")
    .join("\n");
}

function svgsOf(html: string): string[] {
  return [...html.matchAll(/<svg[\s\S]*?<\/svg>/g)].map((m) => m[0]);
}

function expectHealthy(executed: Notebook): string {
  expect(errorOutputs(executed)).toEqual([]);
  const html = rendered(executed);
  const svgs = svgsOf(html);
  expect(svgs.length).toBeGreaterThan(0);
  for (const svg of svgs) expect(parseXmlRoot(svg)).toBe("svg");
  return html;
}

describe("notebooks/", () => {
  it("holds the notebooks the build script writes, saved with outputs cleared", () => {
    const files = readdirSync(notebooksDir).filter((f) => f.endsWith(".ipynb") && !f.includes(".executed."));
    expect(files.sort()).toEqual(["branches.ipynb", "quickstart.ipynb"]);
    expect(readNotebook(path.join(notebooksDir, "quickstart.ipynb"))).toEqual(JSON.parse(JSON.stringify(quickstart)));
    expect(readNotebook(path.join(notebooksDir, "branches.ipynb"))).toEqual(JSON.parse(JSON.stringify(branches)));
    for (const file of files) {
      for (const cell of readNotebook(path.join(notebooksDir, file)).cells) {
        if (cell.cell_type === "code") expect(cell.outputs).toEqual([]);
      }
    }
  });

  for (const client of ["nbconvert", "services"] as const) {
    describe(`executed through ${client}`, () => {
      let sandbox: JupyterSandbox;
      beforeAll(() => {
        sandbox = new JupyterSandbox();
      });
      afterAll(async () => {
        await sandbox.dispose();
      });
      const run = (name: string) => {
        const notebook = readNotebook(path.join(notebooksDir, `${name}.ipynb`));
        return client === "nbconvert" ? sandbox.nbconvert(notebook, { name }) : sandbox.services(notebook);
      };

      it("quickstart: runs offline top to bottom and shows links, summary, artifacts and lineage", async () => {
        const html = expectHealthy(await run("quickstart"));
        expect(html).toContain('class="wbflow-live-run"');
        expect(html).toContain('class="wbflow-step-runs"');
        expect(html).toContain("offline-run-");
        expect(html).toContain('class="wbflow-summary-table"');
        expect(html).toContain('class="wbflow-artifacts-table"');
        expect(html).toMatch(/raw_df:v\d/);
        expect(html).toContain('class="wbflow-lineage"');
        expect(html).toContain("%wandb sync --all");
        expect(html).toContain('class="wbflow-runs-table"');
      }, HEAVY_TEST_MS);

      it("branches: branches, foreach and joins run, with foreach progress", async () => {
        const html = expectHealthy(await run("branches"));
        expect(html).toContain("5/5");
        expect(html).toContain('class="wbflow-runs-table"');
      }, HEAVY_TEST_MS);
    });
  }
});
