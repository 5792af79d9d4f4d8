/**
 * After a sync, `name:vN` means the same content in the local registry (notebook, `Api`) as on the
 * W&B server (issue 13, item 4): the registry learns the server's numbers, the digest being the identity.
 */
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Api } from "../../src/wandb/api.js";
import { Artifact } from "../../src/wandb/artifacts/artifact.js";
import { syncRuns } from "../../src/wandb/sync/sync.js";
import { startProtocolServer, TEST_USER, type ProtocolServer } from "../support/protocol-server/protocol-server.js";
import { tempDir } from "./artifact-fixture.js";
import { startRun } from "./logged-runs.js";
import { recordingTiming } from "./recording-timing.js";

let server: ProtocolServer;
beforeEach(async () => {
  server = await startProtocolServer();
});
afterEach(async () => {
  await server.close();
});

async function logOffline(root: string, id: string, contents: string[], startMs: number): Promise<void> {
  const run = await startRun(root, "offline", server.url, id, {}, startMs);
  for (const text of contents) {
    const artifact = new Artifact("tbl", "dataset");
    artifact.newFile("rows.txt").end(text);
    await run.logArtifact(artifact);
  }
  await run.finish();
}

const sync = (root: string) =>
  syncRuns({ allIn: path.join(root, "wandb"), connection: { baseUrl: server.url, apiKey: TEST_USER.apiKey, timing: recordingTiming() }, notify: () => undefined });

describe("version numbers after a sync", () => {
  it("the local registry shows the server's numbers, so tbl:vN is the same content everywhere", async () => {
    // Another machine's versions reach the server first: the server's numbering starts with them.
    const elsewhere = tempDir();
    await logOffline(elsewhere, "other001", ["from another machine", "and another"], 1_700_000_000_000);
    expect((await sync(elsewhere)).map((r) => r.status)).toEqual(["synced"]);

    const root = tempDir();
    await logOffline(root, "local001", ["alpha", "beta", "gamma"], 1_700_000_100_000);
    const api = () => new Api({ env: {}, home: root, cwd: root, settings: { project: "proj", mode: "offline" } });
    const localDigests = await Promise.all(["v0", "v1", "v2"].map(async (v) => (await api().artifact(`tbl:${v}`)).digest));
    expect((await sync(root)).map((r) => r.status)).toEqual(["synced"]);

    const onServer = server.state.snapshot().artifacts[`${TEST_USER.entity}/proj/tbl`]!;
    expect(onServer.map((v) => v.version)).toEqual(["v0", "v1", "v2", "v3", "v4"]);
    for (const serverVersion of onServer.slice(2)) {
      const local = await api().artifact(`tbl:${serverVersion.version}`);
      expect(local.digest).toBe(serverVersion.digest);
      expect(local.version).toBe(serverVersion.version);
    }
    expect(onServer.slice(2).map((v) => v.digest)).toEqual(localDigests);
    const latest = await api().artifact("tbl:latest");
    expect(latest.version).toBe("v4");
    expect(latest.aliases).toContain("v4");
    // The server's v0 is not on this machine: no local version answers to it any more.
    await expect(api().artifact("tbl:v0")).rejects.toThrow(/not found/);
    // A reference recorded offline (`tbl:v0`, the local number then) still finds its content by digest.
    const reader = await startRun(root, "offline", server.url, "reader01", {}, 1_700_000_200_000);
    const used = await reader.useArtifact("tbl:v0", { digest: localDigests[0]! });
    expect([used.digest, used.version]).toEqual([localDigests[0], "v2"]);
    await expect(reader.useArtifact("tbl:v3", { digest: "0".repeat(32) })).rejects.toThrow(/not in the local registry/);
    await reader.finish();
  });

  it("artifact.wait() answers the server's number online (as W&B's does) and the local one offline", async () => {
    const elsewhere = tempDir();
    await logOffline(elsewhere, "other001", ["from another machine", "and another"], 1_700_000_000_000);
    await sync(elsewhere);
    for (const mode of ["online", "offline"] as const) {
      const run = await startRun(tempDir(), mode, server.url, `wait${mode.slice(0, 4)}`, {}, 1_700_000_100_000);
      const artifact = new Artifact("tbl", "dataset");
      await expect(artifact.wait()).rejects.toThrow(/has not been logged yet/);
      artifact.newFile("rows.txt").end(`logged ${mode}`);
      const logged = await run.logArtifact(artifact);
      expect([logged.version, logged.numberedBy]).toEqual(["v0", "local"]);
      const waited = await artifact.wait();
      expect([waited.version, waited.qualifiedName, waited.numberedBy]).toEqual(
        mode === "online" ? ["v2", "tbl:v2", "server"] : ["v0", "tbl:v0", "local"],
      );
      expect(waited.aliases).toContain(waited.version);
      await run.finish();
    }
  });

  it("artifact.wait() says whether the server made a new version: it compares with its latest, the local registry with every version", async () => {
    const root = tempDir();
    const run = await startRun(root, "online", server.url, "dedup001");
    const waited: Array<[string, boolean, boolean]> = [];
    for (const text of ["A", "A", "B", "A"]) {
      const artifact = new Artifact("tbl", "dataset");
      artifact.newFile("rows.txt").end(text);
      const logged = await run.logArtifact(artifact);
      const numbered = await artifact.wait();
      waited.push([numbered.version, numbered.deduplicated, logged.deduplicated]);
    }
    await run.finish();
    // [server number, server made no new version, local registry made no new version]
    expect(waited).toEqual([
      ["v0", false, false],
      ["v0", true, true],
      ["v1", false, false],
      ["v2", false, true],
    ]);
    const onServer = server.state.snapshot().artifacts[`${TEST_USER.entity}/proj/tbl`]!;
    expect(onServer.map((v) => v.version)).toEqual(["v0", "v1", "v2"]);
    // Locally A is one version; it answers to both numbers the server gave it, and shows the newest.
    const api = new Api({ env: {}, home: root, cwd: root, settings: { project: "proj", mode: "offline" } });
    for (const version of onServer) {
      const local = await api.artifact(`tbl:${version.version}`);
      expect([local.version, local.digest]).toEqual([version.version, version.digest]);
    }
    expect((await api.artifact("tbl:latest")).version).toBe("v2");
  });

  it("online, the version a run logged shows the server's number once its run finished", async () => {
    const elsewhere = tempDir();
    await logOffline(elsewhere, "other001", ["from another machine", "and another"], 1_700_000_000_000);
    await sync(elsewhere);
    const root = tempDir();
    const run = await startRun(root, "online", server.url, "live0001", {}, 1_700_000_100_000);
    const artifact = new Artifact("tbl", "dataset");
    artifact.newFile("rows.txt").end("logged online");
    await run.logArtifact(artifact);
    await run.finish();
    const onServer = server.state.snapshot().artifacts[`${TEST_USER.entity}/proj/tbl`]!;
    const api = new Api({ env: {}, home: root, cwd: root, settings: { project: "proj", mode: "offline" } });
    const latest = await api.artifact("tbl:latest");
    expect(latest.version).toBe("v2");
    expect(onServer[2]!.digest).toBe(latest.digest);
  });
});
