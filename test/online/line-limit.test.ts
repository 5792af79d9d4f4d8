/**
 * W&B's back end takes file_stream lines of at most 10 MiB − 100 KiB, and W&B's own client skips a
 * longer history row or summary with a warning and uploads the rest of the run. A run with one
 * over-long row must not fail as a whole (live), nor be impossible to sync (every sync would send
 * the same refused line again).
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { tuneOnlineRuns } from "../../src/wandb/online/online-backend-factory.js";
import { MAX_LINE_BYTES } from "../../src/wandb/online/run/file-stream.js";
import { parseExtendedJson } from "../../src/wandb/protocol/extended-json.js";
import { syncRuns } from "../../src/wandb/sync/sync.js";
import { startProtocolServer, TEST_USER, type ProtocolServer } from "../support/protocol-server/protocol-server.js";
import { tempDir } from "./artifact-fixture.js";
import { startRun } from "./logged-runs.js";
import { recordingTiming } from "./recording-timing.js";

let server: ProtocolServer;
const notices: string[] = [];
beforeEach(async () => {
  server = await startProtocolServer();
  notices.length = 0;
  tuneOnlineRuns({ timing: recordingTiming(), notify: (line) => notices.push(line) });
});
afterEach(async () => {
  tuneOnlineRuns({});
  await server.close();
});

const huge = "x".repeat(MAX_LINE_BYTES + 1);

/** Logs three rows, the middle one over the line limit, then a small summary key. */
async function runWithHugeRow(mode: "online" | "offline", id: string): Promise<string> {
  const run = await startRun(tempDir(), mode, server.url, id);
  run.log({ loss: 1 });
  run.log({ blob: huge });
  run.log({ loss: 0.5 });
  run.summary.set("accuracy", 0.9);
  await run.finish();
  return run.dir;
}

function expectUploadedWithoutTheHugeRow(id: string): void {
  const onServer = server.state.findRun(TEST_USER.entity, "proj", id)!;
  expect(onServer.state).toBe("finished");
  const rows = (onServer.streamed.get("wandb-history.jsonl") ?? []).map((line) => parseExtendedJson(line) as Record<string, unknown>);
  expect(rows.map((row) => [row["_step"], row["loss"]])).toEqual([
    [0, 1],
    [2, 0.5],
  ]);
  // The summary holds the blob (the last value of a logged key), so it is skipped as a whole, as W&B does;
  // the complete summary still arrives as the run file wandb-summary.json.
  expect(onServer.files.get("wandb-summary.json")?.toString()).toContain('"accuracy":0.9');
  const told = notices.filter((n) => n.includes("over the W&B server's limit"));
  expect(told).toEqual([
    expect.stringMatching(new RegExp(`^wandb: run ${id}: a run\\.log\\(\\) row is 10,383,4\\d\\d bytes of JSON, over the W&B server's limit of 10,383,360 bytes for one line, so it is not uploaded .*Log large values as artifacts instead\\.$`)),
    expect.stringMatching(new RegExp(`^wandb: run ${id}: the summary is 10,\\d{3},\\d{3} bytes of JSON`)),
  ]);
}

describe("a history row over W&B's line limit", () => {
  it("is skipped by sync with one notice; the rest of the run is uploaded and marked synced", async () => {
    const dir = await runWithHugeRow("offline", "huge0001");
    const [result] = await syncRuns({
      paths: [dir],
      connection: { baseUrl: server.url, apiKey: TEST_USER.apiKey, timing: recordingTiming() },
      notify: (line) => notices.push(line),
    });
    expect(result!.status, result!.reason).toBe("synced");
    expectUploadedWithoutTheHugeRow("huge0001");
  });

  it("is skipped by a live run, which goes on online instead of falling back to offline", async () => {
    await runWithHugeRow("online", "huge0002");
    expect(notices.filter((n) => n.includes("Nothing is lost"))).toEqual([]);
    expectUploadedWithoutTheHugeRow("huge0002");
  });
});
