import path from "node:path";
import { describe, expect, it } from "vitest";
import { init } from "../../src/wandb/run/init.js";
import { ManualClock, offlineDeps, tempDir } from "./helpers/fixtures.js";

describe("offline notice", () => {
  it("is printed once per process, says where data goes and how to sync, and shows no key", async () => {
    const root = tempDir();
    const printed: string[] = [];
    let n = 0;
    const deps = { ...offlineDeps(root, new ManualClock(0), "x", printed), newRunId: () => `note000${n++}` };
    const a = await init({ project: "p" }, deps);
    const b = await init({ project: "p" }, deps);
    await Promise.all([a.finish(), b.finish()]);
    expect(printed).toHaveLength(1);
    expect(printed[0]).toContain(path.join(root, "wandb"));
    expect(printed[0]).toContain("wbflow sync");
    expect(printed[0]).toMatch(/No W&B API key/);
  });
});
