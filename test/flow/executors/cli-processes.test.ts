/** `wbflow run FILE --executor processes --max-workers N`: the real CLI running a flow in worker processes. */
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { expect, test } from "vitest";
import { Datastore } from "../../../src/flow/datastore/datastore.js";
import { flowWorkspace } from "./flow-workspace.js";

const REPO = fileURLToPath(new URL("../../../", import.meta.url));

test("wbflow run --executor processes runs the branches example in workers with the usual progress", async () => {
  const workspace = flowWorkspace();
  const file = workspace.write("branches.ts", readFileSync(path.join(REPO, "examples/branches.ts"), "utf8"));
  const store = path.join(workspace.dir, "store");
  const args = [path.join(REPO, "bin/wbflow.js"), "run", file, "--folds", "4", "--executor", "processes", "--max-workers", "2", "--datastore", store];
  const { stdout } = await promisify(execFile)(process.execPath, args, { cwd: workspace.dir });
  expect(stdout).toContain("Foreach yields 4 child steps.");
  expect(stdout).toMatch(/shipping the linear model|no model is good enough/); // the step's own output, printed live
  expect(stdout).toMatch(/Run BranchesFlow\/\d+ finished successfully\.\n$/);
  const [run] = await new Datastore({ root: store }).listRuns("BranchesFlow");
  expect(run).toBeDefined();
}, 120_000);

test("an unknown executor is a usage error", async () => {
  const { parseRunArgs } = await import("../../../src/cli/flows/run.js");
  expect(() => parseRunArgs(["f.ts", "--executor", "threads"])).toThrow("--executor is in-process, processes or bullmq; got threads.");
  expect(parseRunArgs(["f.ts", "--executor", "processes", "--max-workers", "4"])).toMatchObject({ executor: "processes", maxWorkers: 4 });
});
