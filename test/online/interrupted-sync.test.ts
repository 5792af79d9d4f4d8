/**
 * A `wbflow sync` killed (SIGKILL) in the middle of its work, at several points of the upload, then
 * run again: the server ends with each version exactly once with its producer and consumers, and
 * every run marked synced; a run is never marked synced before it is all on the server.
 */
import { spawn } from "node:child_process";
import { readdirSync } from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Artifact } from "../../src/wandb/artifacts/artifact.js";
import { syncRuns } from "../../src/wandb/sync/sync.js";
import type { FaultMatch } from "../support/protocol-server/fault-plan.js";
import { startProtocolServer, TEST_USER, type ProtocolServer } from "../support/protocol-server/protocol-server.js";
import { tempDir } from "./artifact-fixture.js";
import { startRun } from "./logged-runs.js";
import { recordingTiming } from "./recording-timing.js";
import { runCli } from "./cli-process.js";

let server: ProtocolServer;
beforeEach(async () => {
  server = await startProtocolServer();
});
afterEach(async () => {
  await server.close();
});

const cliEntry = path.join(import.meta.dirname, "..", "support", "cli-entry.ts");

/** `count` offline runs: run i logs version i of `tbl` and uses version i-1. */
async function logChain(root: string, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const run = await startRun(root, "offline", server.url, `kill${String(i).padStart(4, "0")}`, { job_type: "step" }, 1_700_000_000_000 + i * 100_000);
    if (i > 0) await run.useArtifact(`tbl:v${i - 1}`);
    const artifact = new Artifact("tbl", "dataset");
    artifact.newFile("rows.json").end(JSON.stringify({ i }));
    await run.logArtifact(artifact);
    run.log({ i });
    await run.finish();
  }
}

function syncedMarkers(root: string): string[] {
  const wandbDir = path.join(root, "wandb");
  return readdirSync(wandbDir)
    .filter((dir) => dir.startsWith("offline-run-"))
    .flatMap((dir) => readdirSync(path.join(wandbDir, dir)).filter((f) => f.endsWith(".synced")).map((f) => f.replace(/^run-/, "").split(".")[0]!));
}

const points: Array<[string, FaultMatch, number]> = [
  ["the first upload of a file", { route: "upload" }, 1],
  ["the second commit", { route: "graphql", operationName: "CommitArtifact" }, 2],
  ["the second run's file_stream", { route: "file_stream" }, 3],
  ["the first lineage use", { route: "graphql", operationName: "UseArtifact" }, 1],
];

describe("a sync killed mid-upload, then run again", () => {
  it.each(points)("killed during %s", async (_label, match, nth) => {
    const root = tempDir("wbflow-killsync-");
    const runs = 3;
    await logChain(root, runs);
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let reached!: () => void;
    const arrived = new Promise<void>((resolve) => (reached = resolve));
    // Let nth-1 matching requests through, hold the nth: the sync is stuck there when it is killed.
    for (let i = 1; i < nth; i++) server.faults.inject(match, { kind: "slow", delayMs: 0 });
    server.faults.inject(match, { kind: "held", release: held.then(() => undefined) });
    const poll = setInterval(() => {
      if (server.faults.pending === 0) reached();
    }, 5);
    const env = { PATH: process.env["PATH"] ?? "", HOME: root, WANDB_BASE_URL: server.url, WANDB_DIR: root, WANDB_API_KEY: TEST_USER.apiKey };
    const child = spawn(process.execPath, ["--import", "tsx", cliEntry, "sync", "--all"], { env });
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr.on("data", (d: Buffer) => (output += d.toString()));
    const exited = new Promise<void>((resolve) => child.on("close", () => resolve()));
    await Promise.race([arrived, exited]);
    clearInterval(poll);
    child.kill("SIGKILL");
    await exited;
    expect(server.faults.pending, output).toBe(0);
    const markedEarly = syncedMarkers(root);
    release(); // the server finishes the held request for a client that is gone
    for (const id of markedEarly) {
      const onServer = server.state.findRun(TEST_USER.entity, "proj", id);
      expect(onServer?.state, `${id} was marked synced`).toBe("finished");
    }

    const results = await syncRuns({
      allIn: path.join(root, "wandb"),
      connection: { baseUrl: server.url, apiKey: TEST_USER.apiKey, timing: recordingTiming() },
      notify: () => undefined,
    });
    expect(results.filter((r) => r.status === "failed")).toEqual([]);
    expect(syncedMarkers(root).sort()).toHaveLength(runs);
    const versions = server.state.snapshot().artifacts[`${TEST_USER.entity}/proj/tbl`]!;
    expect(versions.map((v) => v.version)).toEqual(["v0", "v1", "v2"]);
    const at = (id: string) => `${TEST_USER.entity}/proj/${id}`;
    expect(versions.map((v) => v.producer)).toEqual(["kill0000", "kill0001", "kill0002"].map(at));
    expect(versions.map((v) => v.consumers)).toEqual([[at("kill0001")], [at("kill0002")], []]);
    const snapshot = server.state.snapshot();
    expect(Object.keys(snapshot.runs)).toHaveLength(runs);
    for (const [name, run] of Object.entries(snapshot.runs)) expect(run.state, name).toBe("finished");
  }, 120_000);
});

describe("a consumer synced after its producer, in a later sync", () => {
  it("uses the producer's version on the server (found by the number the registry learned), not a copy", async () => {
    const root = tempDir("wbflow-latersync-");
    await logChain(root, 3);
    const connection = { baseUrl: server.url, apiKey: TEST_USER.apiKey, timing: recordingTiming() };
    const wandbDir = path.join(root, "wandb");
    const first = readdirSync(wandbDir).filter((d) => d.startsWith("offline-run-") && d.endsWith("kill0000"));
    expect(first).toHaveLength(1);
    // The producer of tbl v0 alone first (another process: nothing of it is cached in this one); then
    // the rest, whose first run uses v0 after later versions became latest.
    const env = { HOME: root, WANDB_BASE_URL: server.url, WANDB_DIR: root, WANDB_API_KEY: TEST_USER.apiKey };
    const alone = await runCli(["sync", path.join(wandbDir, first[0]!)], env);
    expect(alone.code, alone.stderr).toBe(0);
    const rest = await syncRuns({ allIn: wandbDir, connection, notify: () => undefined });
    expect(rest.map((r) => r.status).sort()).toEqual(["skipped", "synced", "synced"]);
    const versions = server.state.snapshot().artifacts[`${TEST_USER.entity}/proj/tbl`]!;
    const at = (id: string) => `${TEST_USER.entity}/proj/${id}`;
    expect(versions.map((v) => [v.version, v.producer, v.consumers])).toEqual([
      ["v0", at("kill0000"), [at("kill0001")]],
      ["v1", at("kill0001"), [at("kill0002")]],
      ["v2", at("kill0002"), []],
    ]);
  }, 60_000);
});
