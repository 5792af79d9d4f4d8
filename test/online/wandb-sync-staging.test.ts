/**
 * W&B's own `wandb sync` must not damage wbflow's store. After uploading an artifact it
 * `chmod 0600`s and deletes every manifest entry's `local_path` (its writer makes them as staging
 * copies). This test does exactly that to a `@wandb_log` flow's offline runs, then checks the
 * object store, `artifact.load()`, the registry and a `wbflow sync` all still work, bit-exact.
 */
import { createHash } from "node:crypto";
import { chmodSync, readdirSync, readFileSync, statSync, unlinkSync } from "node:fs";
import path from "node:path";
import type { ColumnTable } from "arquero";
import { afterEach, beforeEach, expect, test } from "vitest";
import { ObjectStore } from "../../src/wandb/offline/object-store.js";
import { readTransactionLog } from "../../src/wandb/offline/transaction-log-reader.js";
import type { ArtifactManifestEntry } from "../../src/wandb/protocol/records.js";
import { syncRuns } from "../../src/wandb/sync/sync.js";
import { startProtocolServer, TEST_USER, type ProtocolServer } from "../support/protocol-server/protocol-server.js";
import { LEGACY } from "../integration/fixtures.js";
import { loadFlows } from "../integration/load-flows.js";
import { workspace, type Workspace } from "../integration/workspace.js";
import { recordingTiming } from "./recording-timing.js";

const FLOW = `
import { FlowSpec, step } from "wbflow";
import { wandb_log } from "wbflow/wandb";
import * as aq from "arquero";
@wandb_log({ datasets: true })
export class StagedFlow extends FlowSpec {
  @step start() {
    this.raw_df = aq.table({ x: [1, 2, 3], y: ["a", "b", "c"] });
    this.next(this.train);
  }
  @step train() {
    this.features = this.raw_df.derive({ z: (d) => d.x * 2 });
    this.next(this.end);
  }
  @step end() {}
}`;

let ws: Workspace;
let server: ProtocolServer;
beforeEach(async () => {
  server = await startProtocolServer();
});
afterEach(async () => {
  ws.restore();
  await server.close();
});

const md5 = (file: string) => createHash("md5").update(readFileSync(file)).digest("base64");

/** Every manifest entry with a local_path in the W&B directory's run logs. */
async function stagedEntries(wandbDir: string): Promise<ArtifactManifestEntry[]> {
  const entries: ArtifactManifestEntry[] = [];
  for (const runDir of readdirSync(wandbDir).filter((d) => d.startsWith("offline-run-"))) {
    const logName = readdirSync(path.join(wandbDir, runDir)).find((f) => f.endsWith(".wandb"))!;
    for (const record of (await readTransactionLog(path.join(wandbDir, runDir, logName))).records) {
      if (record.type !== "artifact") continue;
      entries.push(...(record.artifact.manifest?.contents ?? []).filter((e) => e.localPath !== undefined));
    }
  }
  return entries;
}

test("W&B's sync chmods and deletes every local_path: store, load, registry and wbflow sync stay bit-exact", async () => {
  ws = workspace("StagedFlow");
  const { StagedFlow } = loadFlows(FLOW, LEGACY);
  await StagedFlow.run({}, { datastore: ws.datastore });
  const wandbDir = path.join(ws.dir, "wandb");
  const store = ObjectStore.at(path.join(wandbDir, "artifacts", "obj"));
  const before = await ws.api.artifact("raw_df:latest");
  const originalTable = ((await before.load()) as ColumnTable).objects();

  const entries = await stagedEntries(wandbDir);
  expect(entries.length).toBeGreaterThanOrEqual(2); // raw_df and features
  for (const entry of entries) {
    const object = store.objectPath(entry.digest!);
    expect(statSync(entry.localPath!).ino).not.toBe(statSync(object).ino); // a copy, not the store's file
    // Exactly what W&B's sync does to each local_path after uploading it.
    chmodSync(entry.localPath!, 0o600);
    unlinkSync(entry.localPath!);
  }

  for (const entry of entries) {
    const object = store.objectPath(entry.digest!);
    expect(statSync(object).mode & 0o777).toBe(0o444); // still read-only
    expect(md5(object)).toBe(entry.digest);
  }
  const after = await ws.api.artifact("raw_df:latest");
  expect(after.digest).toBe(before.digest);
  expect(((await after.load()) as ColumnTable).objects()).toEqual(originalTable);
  const features = (await (await ws.api.artifact("features:v0")).load()) as ColumnTable;
  expect(features.array("z")).toEqual([2, 4, 6]);

  const results = await syncRuns({
    allIn: wandbDir,
    connection: { baseUrl: server.url, apiKey: TEST_USER.apiKey, timing: recordingTiming() },
    notify: () => undefined,
  });
  expect(results.map((r) => r.status)).toEqual(["synced", "synced", "synced"]);
  for (const entry of entries) {
    expect(md5ofBytes(server.state.blobs.get(entry.digest!)?.bytes)).toBe(entry.digest);
  }
  const onServer = server.state.snapshot().artifacts[`${TEST_USER.entity}/StagedFlow/raw_df`]!;
  expect(onServer.map((v) => v.digest)).toEqual([before.digest]);
});

function md5ofBytes(bytes: Buffer | undefined): string | undefined {
  return bytes && createHash("md5").update(bytes).digest("base64");
}
