/**
 * `logArtifact(..., { publishAtFinish: true })`: the version is committed locally at once, but the
 * run's record of it is written only at `finish()` (just before `exit`), and only then is the run its
 * producer. Discarded at finish, or never finished: the run published nothing, and the next run that
 * publishes the same content becomes its producer.
 */
import { writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { Api } from "../../src/wandb/api.js";
import { Artifact } from "../../src/wandb/artifacts/artifact.js";
import { readTransactionLog } from "../../src/wandb/offline/transaction-log-reader.js";
import { init } from "../../src/wandb/run/init.js";
import type { WandbRecord } from "../../src/wandb/protocol/records.js";
import { ManualClock, offlineDeps, tempDir } from "./helpers/fixtures.js";

function dataArtifact(root: string, text: string): Artifact {
  const file = path.join(root, `data-${text}.txt`);
  writeFileSync(file, text);
  const artifact = new Artifact("data", "dataset");
  artifact.addFile(file, { name: "data.txt" });
  return artifact;
}

async function recordTypes(run: { dir: string; id: string }): Promise<string[]> {
  const { records } = await readTransactionLog(path.join(run.dir, `run-${run.id}.wandb`));
  return records.map((r: WandbRecord) => (r.type === "artifact" ? `artifact${r.artifact.useAfterCommit ? ":use" : ""}` : r.type));
}

describe("output versions published at finish", () => {
  it("are usable at once, recorded just before exit, and name the run as producer only then", async () => {
    const root = tempDir();
    const deps = offlineDeps(root, new ManualClock(0), "held0001");
    const api = new Api({ env: deps.env!, home: root, cwd: root, settings: { project: "p" } });
    const run = await init({ project: "p" }, deps);
    const logged = await run.logArtifact(dataArtifact(root, "one"), { publishAtFinish: true });
    expect(logged.version).toBe("v0");
    expect((await api.artifact("data:v0")).producer).toBeUndefined();
    run.log({ loss: 1 });
    await run.flush();
    expect(await recordTypes(run)).not.toContain("artifact");

    await run.finish();
    expect((await recordTypes(run)).slice(-2)).toEqual(["artifact", "exit"]);
    expect((await api.artifact("data:v0")).producer?.runId).toBe("held0001");
  });

  it("discarded at finish: the run records none, and the next run to publish the content is its producer", async () => {
    const root = tempDir();
    const clock = new ManualClock(0);
    const api = new Api({ env: offlineDeps(root, clock).env!, home: root, cwd: root, settings: { project: "p" } });
    const first = await init({ project: "p" }, offlineDeps(root, clock, "held0002"));
    await first.logArtifact(dataArtifact(root, "same"), { publishAtFinish: true });
    await first.finish(1, { heldOutputs: "discard" });
    expect(await recordTypes(first)).not.toContain("artifact");
    expect((await api.artifact("data:latest")).producer).toBeUndefined();

    clock.advance(2000); // another second: another run directory
    const second = await init({ project: "p" }, offlineDeps(root, clock, "held0003"));
    const again = await second.logArtifact(dataArtifact(root, "same"), { publishAtFinish: true });
    expect(again).toMatchObject({ version: "v0", deduplicated: true });
    await second.finish();
    expect((await api.artifact("data:v0")).producer?.runId).toBe("held0003");

    // A version that has its producer keeps it, as on W&B.
    clock.advance(2000);
    const third = await init({ project: "p" }, offlineDeps(root, clock, "held0004"));
    await third.logArtifact(dataArtifact(root, "same"));
    await third.finish();
    expect((await api.artifact("data:v0")).producer?.runId).toBe("held0003");
  });
});
