/** The quickstart's closing line names the folder the notebook's W&B runs really went to. */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect, test } from "vitest";
import { quickstartClosingLine } from "../../scripts/quickstart-closing.js";

const root = mkdtempSync(path.join(tmpdir(), "wbflow-quickstart-"));
const notebookDir = path.join(root, "notebooks");
const executed = path.join(notebookDir, "quickstart.executed.ipynb");
const noKey = { HOME: root, NETRC: path.join(root, "netrc") };

test("without WANDB_DIR the runs are in the notebook's folder, offline without a key", async () => {
  expect(await quickstartClosingLine(root, executed, notebookDir, noKey)).toBe(
    `Done. The executed notebook is ${path.join("notebooks", "quickstart.executed.ipynb")}; W&B runs are in ${path.join("notebooks", "wandb")} (offline).`,
  );
});

test("WANDB_DIR is honoured, relative to the notebook's folder or absolute", async () => {
  const elsewhere = path.join(tmpdir(), "elsewhere-runs");
  expect(await quickstartClosingLine(root, executed, notebookDir, { ...noKey, WANDB_DIR: elsewhere })).toContain(`W&B runs are in ${path.join(elsewhere, "wandb")} (offline)`);
  expect(await quickstartClosingLine(root, executed, notebookDir, { ...noKey, WANDB_DIR: "../runs" })).toContain(`W&B runs are in ${path.join("runs", "wandb")} (offline)`);
});
