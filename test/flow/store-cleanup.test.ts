import { mkdir, mkdtemp, readdir, rm, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Datastore, DatastoreNotFoundError, INLINE_LIMIT_BYTES, type TaskKey } from "../../src/flow/datastore/datastore.js";

let root: string;
let now: number;
let store: Datastore;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "wbflow-cleanup-"));
  now = Date.now();
  store = new Datastore({ root, now: () => now });
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

/** A finished run whose single task stores `values`; returns the blob shas. */
async function runWith(runId: string, createdAt: number, values: Record<string, unknown>): Promise<string[]> {
  await store.createRun({ flowName: "F", runId, createdAt, userName: "u", tags: [], systemTags: [] });
  await store.setLatestRun("F", runId);
  const key: TaskKey = { flowName: "F", runId, stepName: "start", taskId: "1" };
  await store.startAttempt(key, 0);
  const artifacts: Record<string, { name: string; producedBy: string; sha: string; size: number; codec: string; type: string }> = {};
  for (const [name, value] of Object.entries(values)) artifacts[name] = { name, producedBy: `F/${runId}/start/1`, ...(await store.putValue("F", value)) };
  await store.finishAttempt(key, 0, { artifacts, metadata: {} });
  return Object.values(artifacts).map((a) => a.sha);
}

/** A value too big to be kept inline, so it is stored as a blob. */
const big = (label: string): string => label.repeat(Math.ceil((INLINE_LIMIT_BYTES + 1) / label.length));

async function blobNames(): Promise<string[]> {
  const dataDir = join(root, "F", "data");
  const names: string[] = [];
  for (const prefix of (await readdir(dataDir)).filter((n) => n !== ".tmp")) names.push(...(await readdir(join(dataDir, prefix))));
  return names.sort();
}

describe("Datastore cleanup", () => {
  it("deletes a run and moves latest_run to the newest remaining run", async () => {
    await runWith("1", 1, { shared: "same", a: 1 });
    await runWith("2", 2, { shared: "same", b: 2 });
    expect(await store.latestRunId("F")).toBe("2");
    await store.deleteRun("F", "2");
    expect((await store.listRuns("F")).map((r) => r.runId)).toEqual(["1"]);
    expect(await store.latestRunId("F")).toBe("1");
    await expect(store.readRun("F", "2")).rejects.toBeInstanceOf(DatastoreNotFoundError);
    await expect(store.deleteRun("F", "2")).rejects.toBeInstanceOf(DatastoreNotFoundError);
    await store.deleteRun("F", "1");
    expect(await store.latestRunId("F")).toBeUndefined();
  });

  it("collects only unreferenced blobs and old temporaries, keeping every stored task readable", async () => {
    const kept = await runWith("1", 1, { shared: big("same"), a: big("1"), small: 1 });
    const secondOnly = (await runWith("2", 2, { shared: big("same"), b: big("2") })).filter((sha) => !kept.includes(sha));
    await store.deleteRun("F", "2");
    await mkdir(join(root, "F", "data", ".tmp"), { recursive: true });
    await writeFile(join(root, "F", "data", ".tmp", "left-by-a-kill"), "partial");
    // A task index a killed process was half-way through writing.
    await writeFile(join(root, "F", "1", "start", "1", ".tmp-left-by-a-kill"), '{"version":2,"artif');
    const inlineSha = kept.pop()!; // `small` is kept inline in the index: no blob
    expect(await blobNames()).toEqual([...kept, ...secondOnly].sort());
    expect(await blobNames()).not.toContain(inlineSha);

    // Within the grace period nothing goes: a running task may not have written its index yet.
    expect(await store.collectGarbage("F")).toEqual({ removedBlobs: 0, removedTemporaries: 0, freedBytes: 0 });
    now += 2 * 60 * 60 * 1000;
    const report = await store.collectGarbage("F");
    expect(report.removedBlobs).toBe(secondOnly.length);
    expect(report.removedTemporaries).toBe(2);
    expect(await readdir(join(root, "F", "1", "start", "1"))).toEqual(["0.done"]);
    expect(report.freedBytes).toBeGreaterThan(0);
    expect(await blobNames()).toEqual([...kept].sort());
    const stored = await store.readTask({ flowName: "F", runId: "1", stepName: "start", taskId: "1" });
    expect(await store.getValue("F", stored.artifacts.shared!)).toBe(big("same"));
    expect(await store.getValue("F", stored.artifacts.a!)).toBe(big("1"));
    expect(await store.getValue("F", stored.artifacts.small!)).toBe(1);
  });

  it("keeps a young unreferenced blob and removes it once it is old", async () => {
    await runWith("1", 1, { a: 1 });
    const orphan = await store.putValue("F", big("not indexed yet"));
    const path = join(root, "F", "data", orphan.sha.slice(0, 2), orphan.sha);
    expect((await store.collectGarbage("F", { graceMs: 60_000 })).removedBlobs).toBe(0);
    await utimes(path, new Date(now - 120_000), new Date(now - 120_000));
    expect((await store.collectGarbage("F", { graceMs: 60_000 })).removedBlobs).toBe(1);
    // The store forgets the removed blob and writes it again when the value comes back.
    const again = await store.putValue("F", big("not indexed yet"));
    expect(await store.getValue("F", { ...again, name: "x", producedBy: "F/1/start/1" })).toBe(big("not indexed yet"));
  });
});
