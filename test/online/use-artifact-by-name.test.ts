/**
 * `run.useArtifact("name:alias")` online when the version was logged from another W&B directory
 * (another machine): it resolves through the server, records the lineage edge on the exact version
 * and the offline log keeps a use record; offline, a missing version is a clear error.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Artifact } from "../../src/wandb/artifacts/artifact.js";
import { readTransactionLog } from "../../src/wandb/offline/transaction-log-reader.js";
import { ArtifactUnavailableError } from "../../src/wandb/run/run-artifacts.js";
import type { RemoteArtifactVersion } from "../../src/wandb/artifacts/remote-artifact-version.js";
import { syncRuns } from "../../src/wandb/sync/sync.js";
import { startProtocolServer, TEST_USER, type ProtocolServer } from "../support/protocol-server/protocol-server.js";
import { tempDir } from "../wandb/helpers/fixtures.js";
import { startRun } from "./logged-runs.js";

let server: ProtocolServer;
beforeAll(async () => {
  server = await startProtocolServer();
});
afterAll(async () => {
  await server.close();
});

/** The server's id of `name:vN` in project `proj`. */
function serverVersionId(state: ProtocolServer["state"], name: string, versionIndex: number): string {
  for (const artifact of state.artifacts.values()) {
    if (state.collections.get(artifact.collectionId)?.name === name && artifact.versionIndex === versionIndex) return artifact.id;
  }
  throw new Error(`server has no ${name}:v${versionIndex}`);
}

async function logDatasetVersion(run: Awaited<ReturnType<typeof startRun>>, root: string, content: string) {
  const dir = path.join(root, `src-${content}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, "rows.csv"), content);
  const artifact = new Artifact("remote_ds", "dataset");
  await artifact.addDir(dir);
  return run.logArtifact(artifact);
}

describe("useArtifact through the server", () => {
  it("finds versions logged from another directory by alias and by version, and records exact lineage", async () => {
    const producerRoot = tempDir("wbflow-producer-");
    const producer = await startRun(producerRoot, "online", server.url, "producr1");
    const v0 = await logDatasetVersion(producer, producerRoot, "a,b\n1,2\n");
    const v1 = await logDatasetVersion(producer, producerRoot, "a,b\n3,4\n");
    await producer.finish();
    expect([v0.version, v1.version]).toEqual(["v0", "v1"]);

    const consumerRoot = tempDir("wbflow-consumer-");
    const consumer = await startRun(consumerRoot, "online", server.url, "consumr1");
    const latest = (await consumer.useArtifact("remote_ds:latest", { type: "dataset" })) as RemoteArtifactVersion;
    const first = (await consumer.useArtifact("proj/remote_ds:v0")) as RemoteArtifactVersion;
    await expect(consumer.useArtifact("remote_ds:latest", { type: "model" })).rejects.toThrow(/type 'dataset'/);
    await expect(consumer.useArtifact("never_logged:latest")).rejects.toThrow(ArtifactUnavailableError);
    await expect(consumer.useArtifact("never_logged:latest")).rejects.toThrow(/never_logged:latest.*server has no such version/);
    await consumer.finish();

    expect(latest).toMatchObject({ source: "server", name: "remote_ds", type: "dataset", version: "v1", digest: v1.digest, entity: TEST_USER.entity });
    expect(latest.aliases).toContain("latest");
    expect(Object.keys(latest.manifest.contents)).toEqual(["rows.csv"]);
    expect(latest.manifest.contents["rows.csv"]!.size).toBe(8);
    expect(first).toMatchObject({ version: "v0", digest: v0.digest, qualifiedName: "remote_ds:v0" });
    expect(first.manifest.contents["rows.csv"]!.digest).not.toBe(latest.manifest.contents["rows.csv"]!.digest);

    // Lineage on the server: the consumer used v1 (resolved from `latest`) and v0, nothing else.
    const consumerPath = `${TEST_USER.entity}/proj/consumr1`;
    const v0Id = serverVersionId(server.state, "remote_ds", 0);
    const v1Id = serverVersionId(server.state, "remote_ds", 1);
    expect(server.state.consumersOf(v1Id)).toEqual([consumerPath]);
    expect(server.state.consumersOf(v0Id)).toEqual([consumerPath]);
    expect(server.state.useEdges.filter((e) => e.runName === "consumr1")).toHaveLength(2);
    expect(server.rejectedDocuments).toEqual([]);

    // The offline log names the exact versions, so a later sync records the same edges even if
    // `latest` moves meanwhile.
    const log = await readTransactionLog(path.join(consumer.dir, "run-consumr1.wandb"));
    const uses = log.records.flatMap((r) => (r.type === "useArtifact" ? [r.useArtifact] : []));
    expect(uses.map((u) => [u.name, u.type])).toEqual([
      [`${TEST_USER.entity}/proj/remote_ds:v1`, "dataset"],
      [`${TEST_USER.entity}/proj/remote_ds:v0`, "dataset"],
    ]);

    const producer2 = await startRun(producerRoot, "online", server.url, "producr2", {}, 1_800_000_000_000);
    await logDatasetVersion(producer2, producerRoot, "a,b\n5,6\n");
    await producer2.finish();
    const resync = await startProtocolServer();
    try {
      // Sync both W&B dirs to a fresh server: producer first, then the consumer's log replays its uses.
      const connection = { baseUrl: resync.url, apiKey: TEST_USER.apiKey };
      const notify = () => undefined;
      await syncRuns({ paths: [producer.dir, producer2.dir], includeSynced: true, connection, notify });
      const [synced] = await syncRuns({ paths: [consumer.dir], includeSynced: true, connection, notify });
      expect(synced).toMatchObject({ status: "synced" });
      expect(resync.state.consumersOf(serverVersionId(resync.state, "remote_ds", 1))).toEqual([consumerPath]);
      expect(resync.state.consumersOf(serverVersionId(resync.state, "remote_ds", 2))).toEqual([]);
    } finally {
      await resync.close();
    }
  });

  it("offline, a version missing from the local registry is a clear error naming it", async () => {
    const root = tempDir("wbflow-offline-use-");
    const run = await startRun(root, "offline", server.url, "offline1");
    const failure = run.useArtifact("remote_ds:latest");
    await expect(failure).rejects.toThrow(ArtifactUnavailableError);
    await expect(run.useArtifact("remote_ds:v0")).rejects.toThrow(/'remote_ds:v0' is not in the local registry .*offline.*wbflow login.*wbflow sync/);
    await run.finish();
    expect(server.state.runs.some((r) => r.name === "offline1")).toBe(false);
  });
});

describe("a used version deleted from the server before the run is synced", () => {
  it("leaves that edge out with one line and uploads the rest of the run, instead of failing it at every sync", async () => {
    const root = tempDir("wbflow-gone-");
    const run = await startRun(root, "offline", server.url, "gone0001");
    // What an online run that found `gone_ds:v0` on the server and then went offline keeps in its log.
    run.emit({ type: "useArtifact", useArtifact: { id: "QXJ0aWZhY3Q6OTk5OQ==", type: "dataset", name: `${TEST_USER.entity}/proj/gone_ds:v0` } });
    run.log({ loss: 1 });
    await run.finish();
    const notices: string[] = [];
    const [result] = await syncRuns({ paths: [run.dir], connection: { baseUrl: server.url, apiKey: TEST_USER.apiKey }, notify: (line) => notices.push(line) });
    expect(result!.status, result!.reason).toBe("synced");
    expect(notices).toContainEqual(
      `wandb: run gone0001 used ${TEST_USER.entity}/proj/gone_ds:v0, which no longer exists on ${server.url}; that lineage edge is left out and the rest of the run is uploaded.`,
    );
    expect(server.state.snapshot().runs[`${TEST_USER.entity}/proj/gone0001`]).toMatchObject({ state: "finished", history: [expect.objectContaining({ loss: 1 })] });
  });
});
