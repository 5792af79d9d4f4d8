/**
 * Sync of transaction logs written by an independent encoder and verified with W&B's own reader
 * (/work/shared/vectors): what W&B's `wandb sync` would send is what reaches the server.
 */
import { copyFileSync, mkdirSync } from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, expect, it } from "vitest";
import { startProtocolServer, TEST_USER, type ProtocolServer } from "../support/protocol-server/protocol-server.js";
import { syncRuns } from "../../src/wandb/sync/sync.js";
import { tempDir } from "./artifact-fixture.js";
import { recordingTiming } from "./recording-timing.js";

const VECTORS = "/work/shared/vectors";
let server: ProtocolServer;
beforeEach(async () => {
  server = await startProtocolServer();
});
afterEach(async () => {
  await server.close();
});

function offlineRunDir(vector: string, runId: string): string {
  const dir = path.join(tempDir(), "wandb", `offline-run-20231114_221321-${runId}`);
  mkdirSync(dir, { recursive: true });
  copyFileSync(path.join(VECTORS, vector), path.join(dir, `run-${runId}.wandb`));
  return dir;
}

it("syncs the minimal run vector to the run W&B would create", async () => {
  const dir = offlineRunDir("run-abc12345.wandb", "abc12345");
  const results = await syncRuns({ paths: [dir], connection: { baseUrl: server.url, apiKey: TEST_USER.apiKey, timing: recordingTiming() }, notify: () => undefined });
  expect(results.map((r) => r.status)).toEqual(["synced"]);
  expect(server.rejectedDocuments).toEqual([]);
  const run = server.state.snapshot().runs["my-entity/my-project/abc12345"]!;
  expect(run).toMatchObject({ displayName: "ts-demo", tags: ["demo"], state: "finished", exitcode: 0, config: { lr: { value: 0.001 } } });
  expect(run.history).toEqual([{ loss: 0.5, _step: 0, _runtime: 1.5, _timestamp: 1700000001.5 }]);
  expect(run.summary).toEqual({ loss: 0.5, _step: 0, _wandb: { runtime: 2 } });
  expect(Object.keys(run.files).sort()).toEqual(["config.yaml", "wandb-summary.json"]);
  expect(server.state.runs[0]!.files.get("config.yaml")!.toString()).toBe("wandb_version: 1\nlr:\n  value: 0.001\n");
});

it("syncs the multi-block vector (records larger than a block) with group and job type", async () => {
  const dir = offlineRunDir("run-big00001.wandb", "big00001");
  const results = await syncRuns({ paths: [dir], connection: { baseUrl: server.url, apiKey: TEST_USER.apiKey, timing: recordingTiming() }, notify: () => undefined });
  expect(results.map((r) => r.status)).toEqual(["synced"]);
  const run = server.state.snapshot().runs["ent/proj/big00001"]!;
  expect(run).toMatchObject({ group: "Flow/123", jobType: "train", state: "finished" });
  expect(run.history).toHaveLength(3);
  expect((run.history[2] as { blob: string }).blob).toHaveLength(70_000);
});
