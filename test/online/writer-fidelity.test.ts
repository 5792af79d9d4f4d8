/**
 * Small points where wbflow's records follow W&B's Python writer: the run record names the host;
 * output.log is not named in a `files` record (W&B's sender uploads console output itself, so it
 * would go up twice) yet still reaches the server once; an artifact record omits empty metadata and
 * lists manifest entries sorted by path.
 */
import { hostname } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, expect, test } from "vitest";
import { Artifact } from "../../src/wandb/artifacts/artifact.js";
import { readTransactionLog } from "../../src/wandb/offline/transaction-log-reader.js";
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

test("host in the run record, output.log uploaded once and not named in files, artifact records as W&B writes them", async () => {
  const root = tempDir();
  const run = await startRun(root, "offline", server.url, "fidel001");
  run.writeConsole("hello console\n");
  const artifact = new Artifact("unsorted", "dataset");
  for (const name of ["z.txt", "a.txt", "B/c.txt", "é.txt"]) artifact.newFile(name).end(name);
  await run.logArtifact(artifact);
  await run.finish();

  const { records } = await readTransactionLog(path.join(run.dir, "run-fidel001.wandb"));
  const runRecord = records.find((r) => r.type === "run");
  expect(runRecord?.type === "run" && runRecord.run.host).toBe(hostname());
  const named = records.flatMap((r) => (r.type === "files" ? (r.files.files ?? []).map((f) => f.path) : []));
  expect(named).not.toContain("output.log");
  const logged = records.flatMap((r) => (r.type === "artifact" ? [r.artifact] : []));
  expect(logged).toHaveLength(1);
  expect(logged[0]!.metadata).toBeUndefined();
  expect(logged[0]!.manifest!.contents!.map((e) => e.path)).toEqual(["B/c.txt", "a.txt", "z.txt", "é.txt"]);

  const [result] = await syncRuns({
    paths: [run.dir],
    connection: { baseUrl: server.url, apiKey: TEST_USER.apiKey, timing: recordingTiming() },
    notify: () => undefined,
  });
  expect(result!.status).toBe("synced");
  const uploads = server.requests.filter((r) => r.method === "PUT" && r.path.endsWith("/output.log"));
  expect(uploads).toHaveLength(1);
  const onServer = server.state.findRun(TEST_USER.entity, "proj", "fidel001")!;
  expect(onServer.files.get("output.log")?.toString()).toBe("hello console\n");
});
