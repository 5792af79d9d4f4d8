/** A basic value wider than W&B's 1 MB value limit is kept out of the summary, with one line (issue 13). */
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { logOutputs } from "../../src/integration/wandb-log/task-outputs.js";
import { init } from "../../src/wandb/run/init.js";
import { ManualClock, offlineDeps, tempDir } from "../wandb/helpers/fixtures.js";

describe("summary values over W&B's 1 MB limit", () => {
  it("are not written to the summary; the step says so and the other values are logged", async () => {
    const root = tempDir();
    const run = await init({ project: "proj" }, offlineDeps(root, new ManualClock(1_700_000_000_000), "cap00001"));
    const printed: string[] = [];
    const written = new Map<string, unknown>([
      ["huge", "x".repeat(3_000_000)],
      ["wide", Array.from({ length: 200_000 }, (_, i) => i)],
      ["accuracy", 0.93],
      ["just_fits", "y".repeat(999_000)],
    ]);
    await logOutputs(run, written, { options: { datasets: false, models: false, others: false, settings: {} }, pathspec: "F/1/train/2", label: "train", print: (l) => printed.push(l) });
    await run.finish();
    expect(run.summary.get("accuracy")).toBe(0.93);
    expect(run.summary.get("huge")).toBeUndefined();
    expect(run.summary.get("wide")).toBeUndefined();
    expect((run.summary.get("just_fits") as string).length).toBe(999_000);
    expect(printed).toEqual([
      expect.stringMatching(/^wandb: train did not log huge \(string\): it takes at least 3\.0 MB as JSON, over W&B's limit of 1 MB/),
      expect.stringMatching(/^wandb: train did not log wide \(.*\): it takes at least 1\.3 MB as JSON/),
    ]);
    const summaryFile = readFileSync(path.join(run.dir, "files", "wandb-summary.json"), "utf8");
    expect(summaryFile.length).toBeLessThan(1_100_000);
  });
});
