/**
 * Issue 13, item 6 (flow side): a truncated run `_meta.json` made `flows()` return [] and `runs()`
 * throw a bare SyntaxError. Now the damaged run is named (file and what to do) and never hides the
 * healthy runs.
 */
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { expect, test } from "vitest";
import { Flow, Metaflow } from "../../src/flow/client/client.js";
import { RunInfoCorruptError } from "../../src/flow/datastore/datastore.js";
import { flowFrom, tempDatastore } from "./helpers.js";

test("one truncated _meta.json: the healthy runs are listed, the damaged one is named with its file", async () => {
  const datastore = tempDatastore();
  const flow = flowFrom(`export class F extends FlowSpec { @step start() { this.next(this.end); } @step end() {} }`);
  const healthy = await flow.run({}, { datastore });
  const damaged = await flow.run({}, { datastore });
  const meta = path.join(datastore.root, "F", damaged.runId, "_meta.json");
  writeFileSync(meta, readFileSync(meta, "utf8").slice(0, 25));

  const warnings: string[] = [];
  const listen = (warning: Error) => warnings.push(warning.message);
  process.on("warning", listen);
  try {
    expect((await new Metaflow({ datastore }).flows()).map((f) => f.id)).toEqual(["F"]);
    expect((await new Flow("F", { datastore }).runs()).map((r) => r.id)).toEqual([healthy.runId]);
    await new Promise((resolve) => setImmediate(resolve)); // warnings are emitted on the next tick
  } finally {
    process.off("warning", listen);
  }
  expect(warnings.join("\n")).toContain(meta);

  const error = await new Flow("F", { datastore }).run(damaged.runId).info().catch((e: unknown) => e);
  expect(error).toBeInstanceOf(RunInfoCorruptError);
  expect((error as Error).message).toBe(
    `Run F/${damaged.runId} cannot be read: its ${meta} is not valid JSON. The file was truncated (e.g. a full disk) ` +
      `or edited. Restore it from a backup, or delete the run's folder if the run is not needed; other runs are not affected.`,
  );
  await datastore.deleteRun("F", damaged.runId);
  expect((await datastore.listRuns("F")).map((r) => r.runId)).toEqual([healthy.runId]);
});
