import { execFile } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { Artifact } from "../../src/wandb/artifacts/artifact.js";
import { generateRunId } from "../../src/wandb/run/ids.js";
import { WandbDisabledError, init } from "../../src/wandb/run/init.js";
import { readLocalRun } from "../../src/wandb/offline/run-log-reader.js";
import { RunFinishedError } from "../../src/wandb/run/run.js";
import { RunDirectoryExistsError } from "../../src/wandb/offline/run-directory.js";
import { ManualClock, offlineDeps, tempDir } from "./helpers/fixtures.js";

const exec = promisify(execFile);
const child = new URL("./helpers/unfinished-run-child.ts", import.meta.url).pathname;

describe("run lifecycle", () => {
  it.each(["exit", "drain"])("a run left unfinished is finished as failed when the process ends (%s)", async (how) => {
    const root = tempDir();
    const { stdout } = await exec(process.execPath, ["--import", "tsx", child, root, how]);
    const run = await readLocalRun(stdout.trim());
    expect(run.state).toBe("failed");
    expect(run.exitCode).toBe(1);
    expect(run.history.map((r) => r["loss"])).toEqual([0.5]);
    expect(run.summary["loss"]).toBe(0.5);
    expect(existsSync(path.join(stdout.trim(), "files", "wandb-summary.json"))).toBe(true);
  }, 60_000);

  it("commit:false keeps a row open until the next commit; reserved keys are refused", async () => {
    const root = tempDir();
    const run = await init({ project: "p" }, offlineDeps(root, new ManualClock(0)));
    run.log({ a: 1 }, { commit: false });
    run.log({ b: 2 }, { commit: false });
    expect(run.currentStep).toBe(0);
    run.log({ c: 3 });
    expect(run.currentStep).toBe(1);
    run.log({ d: 4 }, { step: 3 });
    expect(run.currentStep).toBe(3);
    expect(() => run.log({ _step: 9 })).toThrow(/_step' is set by W&B/);
    run.log({ _private: 1 });
    await run.finish();
    await expect(run.logArtifact(new Artifact("x", "dataset"))).rejects.toThrow(RunFinishedError);
    const read = await readLocalRun(run.dir);
    expect(read.history.map((r) => [r["_step"], r["a"], r["b"], r["c"], r["d"], r["_private"]])).toEqual([
      [0, 1, 2, 3, undefined, undefined],
      [3, undefined, undefined, undefined, 4, 1],
    ]);
  });

  it("refuses a second run with the same id in the same second, without touching the first", async () => {
    const root = tempDir();
    const deps = offlineDeps(root, new ManualClock(1_700_000_000_000));
    const first = await init({ project: "p" }, deps);
    await expect(init({ project: "p" }, deps)).rejects.toThrow(RunDirectoryExistsError);
    first.log({ ok: 1 });
    await first.finish();
    expect((await readLocalRun(first.dir)).history).toHaveLength(1);
  });

  it("generates 8-character [a-z0-9] run ids", () => {
    const ids = new Set(Array.from({ length: 200 }, generateRunId));
    for (const id of ids) expect(id).toMatch(/^[a-z0-9]{8}$/);
    expect(ids.size).toBe(200);
  });

  it("mode disabled accepts every call and writes nothing", async () => {
    const root = tempDir();
    const run = await init({ project: "p", mode: "disabled", config: { a: 1 } }, offlineDeps(root, new ManualClock(0)));
    run.log({ x: 1 });
    run.summary.set("y", 2);
    run.writeConsole("z\n");
    expect(run.summary.get("y")).toBe(2);
    await expect(run.logArtifact(new Artifact("x", "dataset"))).rejects.toThrow(WandbDisabledError);
    await run.finish();
    expect(readdirSync(root).filter((n) => n !== "netrc")).toEqual([]);
  });
});
