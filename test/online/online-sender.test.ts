import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startProtocolServer, TEST_USER, type ProtocolServer } from "../support/protocol-server/protocol-server.js";
import { WandbHttpClient } from "../../src/wandb/online/http/http-client.js";
import { OnlineSender, type OnlineSenderOptions } from "../../src/wandb/online/online-sender.js";
import { uploadArtifact } from "../../src/wandb/online/artifacts/artifact-uploader.js";
import { upsertBucket } from "../../src/wandb/online/run/run-operations.js";
import { artifactFromFiles, tempDir } from "./artifact-fixture.js";
import { recordingTiming } from "./recording-timing.js";

let server: ProtocolServer;
let http: WandbHttpClient;
let notices: string[];
beforeEach(async () => {
  server = await startProtocolServer();
  http = new WandbHttpClient({ baseUrl: server.url, apiKey: TEST_USER.apiKey, timing: recordingTiming() });
  notices = [];
});
afterEach(async () => {
  await server.close();
});

function sender(options: Partial<OnlineSenderOptions> = {}) {
  return new OnlineSender({ http, mode: "live", defaultProject: "p", notify: (line) => notices.push(line), ...options });
}
const stored = (runId: string) => server.state.findRun(TEST_USER.entity, "p", runId)!;

describe("OnlineSender", () => {
  it("upserts config changes once after the debounce, then the rest at exit", async () => {
    let fire: (() => void) | undefined;
    const s = sender({ setTimer: (_ms, f) => ((fire = f), () => (fire = undefined)) });
    void s.write({ type: "run", run: { runId: "cfg00001", config: { update: [{ key: "lr", valueJson: "0.1" }] } } });
    void s.write({ type: "config", config: { update: [{ key: "batch", valueJson: "32" }] } });
    await s.write({ type: "config", config: { update: [{ key: "epochs", valueJson: "3" }] } }); // resolves once all is handled
    expect(stored("cfg00001").upserts).toBe(1);
    fire!();
    await s.write({ type: "telemetry", telemetry: {} }); // queued after the debounced upsert
    expect(stored("cfg00001").upserts).toBe(2);
    expect(stored("cfg00001").config).toEqual({ lr: { value: 0.1 }, batch: { value: 32 }, epochs: { value: 3 } });
    void s.write({ type: "config", config: { remove: [{ key: "batch" }] } });
    void s.write({ type: "exit", exit: { exitCode: 0 } });
    await s.close();
    expect(fire).toBeUndefined(); // the pending debounce was cancelled; exit sent the config
    expect(stored("cfg00001").upserts).toBe(3);
    expect(stored("cfg00001").config).toEqual({ lr: { value: 0.1 }, epochs: { value: 3 } });
  });

  it("completes a run whose log has no exit record as failed (exit code 1), as W&B's sync does", async () => {
    const s = sender({ mode: "sync" });
    void s.write({ type: "run", run: { runId: "noexit01" } });
    void s.write({ type: "history", history: { item: [{ key: "_step", valueJson: "0" }, { nestedKey: ["a", "b"], valueJson: "NaN" }] } });
    await s.close();
    expect(stored("noexit01")).toMatchObject({ state: "failed", exitcode: 1 });
    expect(stored("noexit01").streamed.get("wandb-history.jsonl")).toEqual(['{"_step":0,"a":{"b":NaN}}']);
  });

  it("sends system metrics, preemption and a use by name", async () => {
    const producer = await upsertBucket(http, { runId: "prod0001", project: "p" });
    const logged = await uploadArtifact(
      http,
      artifactFromFiles(tempDir(), { entity: producer.entity, project: "p", runId: "prod0001", type: "dataset", name: "d" }, { f: "x" }),
    );
    const s = sender();
    void s.write({ type: "run", run: { runId: "misc0001" } });
    void s.write({ type: "stats", stats: { timestamp: { seconds: 1_700_000_000 }, item: [{ key: "system.cpu", valueJson: "12.5" }] } });
    void s.write({ type: "preempting", preempting: {} });
    void s.write({ type: "useArtifact", useArtifact: { name: "d:v0", type: "dataset" } });
    void s.write({ type: "exit", exit: {} });
    await s.close();
    expect(s.failure).toBeUndefined();
    expect(stored("misc0001").streamed.get("wandb-events.jsonl")).toEqual(['{"system.cpu":12.5,"_wandb":true,"_timestamp":1700000000}']);
    expect(server.requests.some((r) => r.fileStreamBody?.preempting === true)).toBe(true);
    expect(server.state.consumersOf(logged.id)).toEqual([`${TEST_USER.entity}/p/misc0001`]);
    expect(stored("misc0001").state).toBe("finished");
  });

  it("keeps order across a long stream of records (the queue is compacted as it goes)", async () => {
    const s = sender({ mode: "sync" });
    void s.write({ type: "run", run: { runId: "long0001" } });
    for (let i = 0; i < 25_000; i++) void s.write({ type: "history", history: { item: [{ key: "_step", valueJson: String(i) }] } });
    void s.write({ type: "exit", exit: {} });
    await s.close();
    const lines = stored("long0001").streamed.get("wandb-history.jsonl")!;
    expect(lines).toHaveLength(25_000);
    expect(lines.every((line, i) => line === `{"_step":${i}}`)).toBe(true);
  });

  it("stops with a clear notice when records come before the run record", async () => {
    const s = sender({ syncHint: "wbflow sync /some/dir" });
    void s.write({ type: "history", history: { item: [] } });
    await s.close();
    expect(String(s.failure)).toContain("came before the run record");
    expect(notices).toEqual([expect.stringContaining("upload it later with `wbflow sync /some/dir`")]);
    expect(server.requests).toEqual([]);
  });
});

describe("run files named by the log", () => {
  it("uploads present files, and skips missing, escaping and pattern paths with a notice", async () => {
    const { mkdirSync, writeFileSync } = await import("node:fs");
    const path = await import("node:path");
    const filesDir = tempDir();
    mkdirSync(path.join(filesDir, "media"));
    writeFileSync(path.join(filesDir, "media", "plot.svg"), "<svg/>");
    const s = sender({ mode: "sync", filesDir });
    void s.write({ type: "run", run: { runId: "files001" } });
    void s.write({
      type: "files",
      files: { files: [{ path: "media/plot.svg" }, { path: "missing.txt" }, { path: "../../etc/passwd" }, { path: "*.ckpt" }] },
    });
    void s.write({ type: "exit", exit: {} });
    await s.close();
    expect(s.failure).toBeUndefined();
    expect(stored("files001").files.get("media/plot.svg")?.toString()).toBe("<svg/>");
    expect([...stored("files001").files.keys()].sort()).toEqual(["config.yaml", "media/plot.svg", "wandb-summary.json"]);
    expect(notices).toHaveLength(3);
    expect(notices.join("\n")).toMatch(/missing.txt.*missing from/);
    expect(notices.join("\n")).toMatch(/etc\/passwd.*outside/);
    expect(notices.join("\n")).toMatch(/\*\.ckpt.*pattern/);
    expect(stored("files001").uploadedNotices).toEqual(new Set(["config.yaml", "wandb-summary.json", "media/plot.svg"]));
  });
});
