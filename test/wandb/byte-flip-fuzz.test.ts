/**
 * Seeded, bounded fuzz (issue 13): flip one bit anywhere in a registry file or a `.wandb` run log,
 * read it back, and require a clear error or the correct value — never a wrong value.
 */
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Api } from "../../src/wandb/api.js";
import { Artifact } from "../../src/wandb/artifacts/artifact.js";
import { parseTransactionLog } from "../../src/wandb/offline/transaction-log-reader.js";
import { init } from "../../src/wandb/run/init.js";
import { ManualClock, offlineDeps, tempDir } from "./helpers/fixtures.js";

const SEED = 20261204;

/** What a reader may answer: the value, or an error whose message names the damaged file. */
async function outcome<T>(read: () => Promise<T>): Promise<{ value: T } | { error: Error }> {
  try {
    return { value: await read() };
  } catch (error) {
    return { error: error as Error };
  }
}

describe("one flipped bit", () => {
  it("in a registry version or alias file: a clear error naming the file, or the right version", async () => {
    const root = tempDir();
    const deps = { ...offlineDeps(root, new ManualClock(1_700_000_000_000)), newRunId: () => "fuzz0001" };
    const run = await init({ project: "proj" }, deps);
    for (const text of ["first", "second"]) {
      const artifact = new Artifact("data", "dataset", { metadata: { text, rows: text.length } });
      artifact.newFile("a.txt").end(text);
      await run.logArtifact(artifact, { aliases: ["best"] });
    }
    await run.finish();
    const api = new Api({ env: deps.env!, home: root, cwd: root, settings: { project: "proj" } });
    const snapshot = async (alias: string) => {
      const v = await api.artifact(`data:${alias}`);
      return { version: v.version, digest: v.digest, size: v.size, metadata: v.metadata, manifest: v.manifest, aliases: [...v.aliases].sort(), producer: v.producer };
    };
    const aliasesRead = ["v0", "v1", "latest", "best"];
    const truth = Object.fromEntries(await Promise.all(aliasesRead.map(async (a) => [a, await snapshot(a)] as const)));
    const collection = path.join(root, "wandb", "artifacts", "registry", "proj", "data");
    const files = ["versions/v0.json", "versions/v1.json", "aliases.json"].map((f) => path.join(collection, f));
    const originals = files.map((f) => readFileSync(f));

    let errors = 0;
    await fc.assert(
      fc.asyncProperty(fc.nat(files.length - 1), fc.nat(), fc.nat(7), async (fileIndex, offsetSeed, bit) => {
        const file = files[fileIndex]!;
        const bytes = Buffer.from(originals[fileIndex]!);
        bytes[offsetSeed % bytes.length]! ^= 1 << bit;
        writeFileSync(file, bytes);
        try {
          for (const alias of aliasesRead) {
            const got = await outcome(() => snapshot(alias));
            if ("error" in got) {
              errors++;
              expect(got.error.message).toMatch(/is damaged|was not found/);
            } else {
              expect(got.value).toEqual(truth[alias]);
            }
          }
        } finally {
          writeFileSync(file, originals[fileIndex]!);
        }
      }),
      { seed: SEED, numRuns: 150 },
    );
    expect(errors).toBeGreaterThan(0); // the flips really hit something
  });

  it("in a .wandb run log: the records read are the run's own records, in order, or a clear error", async () => {
    const root = tempDir();
    const run = await init({ project: "proj", config: { lr: 0.1, layers: [3, 4] } }, offlineDeps(root, new ManualClock(1_700_000_000_000), "fuzzlog1"));
    for (let step = 0; step < 20; step++) run.log({ loss: 1 / (step + 1), note: `step ${step}` });
    run.summary.set("accuracy", 0.93);
    await run.finish();
    const original = readFileSync(path.join(run.dir, "run-fuzzlog1.wandb"));
    const truth = parseTransactionLog(original).records;

    fc.assert(
      fc.property(fc.nat(), fc.nat(7), (offsetSeed, bit) => {
        const bytes = Buffer.from(original);
        bytes[offsetSeed % bytes.length]! ^= 1 << bit;
        let records;
        try {
          records = parseTransactionLog(bytes, "run-fuzzlog1.wandb").records;
        } catch (error) {
          expect((error as Error).message).toMatch(/run-fuzzlog1\.wandb/);
          return;
        }
        // A damaged block may be dropped (the reader stops or skips it), but what is returned is real.
        let at = 0;
        for (const record of records) {
          while (at < truth.length && JSON.stringify(truth[at]) !== JSON.stringify(record)) at++;
          expect(at, `record ${JSON.stringify(record).slice(0, 200)} is not one the run wrote`).toBeLessThan(truth.length);
          at++;
        }
      }),
      { seed: SEED, numRuns: 400 },
    );
  });
});
