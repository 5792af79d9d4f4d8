import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startProtocolServer, TEST_USER, type ProtocolServer } from "../support/protocol-server/protocol-server.js";
import { syncRuns } from "../../src/wandb/sync/sync.js";
import { tuneOnlineRuns } from "../../src/wandb/online/online-backend-factory.js";
import { syncedMarkerPath } from "../../src/wandb/sync/sync-marker.js";
import { tempDir } from "./artifact-fixture.js";
import { logDemoRuns } from "./logged-runs.js";
import { recordingTiming } from "./recording-timing.js";
import { comparableSnapshot } from "./comparable-snapshot.js";

let online: ProtocolServer;
let synced: ProtocolServer;
const notices: string[] = [];

beforeEach(async () => {
  online = await startProtocolServer();
  synced = await startProtocolServer();
  notices.length = 0;
  tuneOnlineRuns({ timing: recordingTiming(), notify: (line) => notices.push(line) });
});
afterEach(async () => {
  tuneOnlineRuns({});
  await Promise.all([online.close(), synced.close()]);
});

function connection(server: ProtocolServer) {
  return { baseUrl: server.url, apiKey: TEST_USER.apiKey, timing: recordingTiming() };
}

describe("a run logged online", () => {
  it("reaches the server with everything it logged", async () => {
    const root = tempDir();
    const dirs = await logDemoRuns(root, "online", online.url);
    expect(notices).toEqual([]);
    expect(online.rejectedDocuments).toEqual([]);
    const snapshot = online.state.snapshot();
    const prep = snapshot.runs[`${TEST_USER.entity}/proj/prep0001`]!;
    expect(prep).toMatchObject({ group: "DemoFlow/1", jobType: "prepare", displayName: "prep0001-name", tags: ["demo"], notes: "notes here", state: "finished", exitcode: 0 });
    expect(prep.config).toEqual({ lr: { value: 0.1 }, model: { value: { layers: 3 } } });
    expect(prep.history).toHaveLength(2);
    expect(prep.history[1]).toMatchObject({ rows: 6, _step: 1 });
    expect((prep.history[1] as { ratio: number }).ratio).toBeNaN();
    expect(prep.output).toHaveLength(2);
    expect(prep.output[0]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6} loading data$/);
    expect(prep.output[1]).toMatch(/^ERROR .* progress 100%$/);
    expect(Object.keys(prep.files).sort()).toEqual(["config.yaml", "output.log", "wandb-metadata.json", "wandb-summary.json"]);
    const train = snapshot.runs[`${TEST_USER.entity}/proj/train001`]!;
    expect(train.config).toEqual({ lr: { value: 0.1 }, alpha: { value: 0.5 }, epochs: { value: 5 } });
    expect(train.summary).toMatchObject({ accuracy: 0.93, epoch: 4, loss: 0.2 });
    expect(train.history.map((row) => (row as { _step: number })._step)).toEqual([0, 1, 2, 3, 4]);
    expect(snapshot.artifacts[`${TEST_USER.entity}/proj/raw_df`]).toEqual([
      expect.objectContaining({ version: "v0", producer: `${TEST_USER.entity}/proj/prep0001`, consumers: [`${TEST_USER.entity}/proj/train001`] }),
    ]);
    expect(snapshot.artifacts[`${TEST_USER.entity}/proj/model`]).toEqual([
      expect.objectContaining({ version: "v0", producer: `${TEST_USER.entity}/proj/train001`, aliases: ["v0", "latest"] }),
    ]);
    // a run that reached the server completely is marked, so `sync --all` skips it
    for (const dir of dirs) {
      const log = readdirSync(dir).find((f) => f.endsWith(".wandb"))!;
      expect(existsSync(syncedMarkerPath(path.join(dir, log)))).toBe(true);
    }
    const again = await syncRuns({ allIn: path.join(root, "wandb"), connection: connection(online), notify: () => undefined });
    expect(again.map((r) => r.status)).toEqual(["skipped", "skipped"]);
  });
});

describe("sync of offline runs", () => {
  it("gives the same server state as logging online", async () => {
    await logDemoRuns(tempDir(), "online", online.url);
    const root = tempDir();
    await logDemoRuns(root, "offline", synced.url);
    expect(synced.requests).toEqual([]); // offline means offline
    const results = await syncRuns({ allIn: path.join(root, "wandb"), connection: connection(synced), notify: () => undefined });
    expect(results.map((r) => r.status)).toEqual(["synced", "synced"]);
    expect(results[0]!.url).toBe(`${synced.url}/${TEST_USER.entity}/proj/runs/prep0001`);
    expect(synced.rejectedDocuments).toEqual([]);
    expect(comparableSnapshot(synced)).toEqual(comparableSnapshot(online));

    // a second sync uploads nothing
    const before = synced.requests.length;
    const second = await syncRuns({ allIn: path.join(root, "wandb"), connection: connection(synced), notify: () => undefined });
    expect(second.map((r) => r.status)).toEqual(["skipped", "skipped"]);
    expect(synced.requests.length).toBe(before);
  });

  it("links uses to the producer's version even when the consumer is listed first", async () => {
    const root = tempDir();
    const [prepDir, trainDir] = await logDemoRuns(root, "offline", synced.url);
    await syncRuns({ paths: [trainDir!, prepDir!], connection: connection(synced), notify: () => undefined });
    const versions = synced.state.snapshot().artifacts[`${TEST_USER.entity}/proj/raw_df`]!;
    expect(versions).toHaveLength(1);
    expect(versions[0]).toMatchObject({ producer: `${TEST_USER.entity}/proj/prep0001`, consumers: [`${TEST_USER.entity}/proj/train001`] });
  });

  for (const failingOperation of ["CommitArtifact", "CreateRunFiles"]) it(`resumes a sync interrupted at ${failingOperation} without duplicates`, async () => {
    await logDemoRuns(tempDir(), "online", online.url);
    const root = tempDir();
    await logDemoRuns(root, "offline", synced.url);
    // The server fails for good at this operation (CreateRunFiles comes after history was sent).
    synced.faults.inject({ route: "graphql", operationName: failingOperation }, { kind: "status", status: 500 }, 1_000);
    const lines: string[] = [];
    const first = await syncRuns({ allIn: path.join(root, "wandb"), connection: connection(synced), notify: (l) => lines.push(l) });
    expect(first.map((r) => r.status)).toEqual(["failed", "failed"]);
    expect(lines.join("\n")).toContain("wbflow sync");
    synced.faults.clear();
    const second = await syncRuns({ allIn: path.join(root, "wandb"), connection: connection(synced), notify: () => undefined });
    expect(second.map((r) => r.status)).toEqual(["synced", "synced"]);
    expect(comparableSnapshot(synced)).toEqual(comparableSnapshot(online));
    expect(synced.state.runs).toHaveLength(2);
  });

  it("reports a path without runs clearly", async () => {
    await expect(syncRuns({ paths: [tempDir()], connection: connection(synced) })).rejects.toThrow(/no run-\*\.wandb log/);
  });
});
