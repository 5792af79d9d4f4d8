import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startProtocolServer, TEST_USER, type ProtocolServer } from "../support/protocol-server/protocol-server.js";
import { tuneOnlineRuns } from "../../src/wandb/online/online-backend-factory.js";
import { syncedMarkerPath } from "../../src/wandb/sync/sync-marker.js";
import { syncRuns } from "../../src/wandb/sync/sync.js";
import { tempDir } from "./artifact-fixture.js";
import { logDemoRuns, startRun } from "./logged-runs.js";
import { recordingTiming } from "./recording-timing.js";
import { comparableSnapshot } from "./comparable-snapshot.js";

let server: ProtocolServer;
let reference: ProtocolServer;
const notices: string[] = [];
beforeEach(async () => {
  server = await startProtocolServer();
  reference = await startProtocolServer();
  notices.length = 0;
  tuneOnlineRuns({ timing: recordingTiming(), notify: (line) => notices.push(line) });
});
afterEach(async () => {
  tuneOnlineRuns({});
  await Promise.all([server.close(), reference.close()]);
});

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name));
}

describe("when the server fails mid-run", () => {
  it("keeps the run offline, tells how to sync, and a later sync completes it without duplicates", async () => {
    await logDemoRuns(tempDir(), "online", reference.url);
    const root = tempDir();
    // Everything after the runs were created fails: file_stream and uploads never get through.
    server.faults.inject({ route: "file_stream" }, { kind: "status", status: 503 }, 10_000);
    server.faults.inject({ route: "upload" }, { kind: "reset" }, 10_000);
    const dirs = await logDemoRuns(root, "online", server.url); // finish() resolves: the offline log has it all
    expect(notices.some((n) => n.includes("retrying"))).toBe(true);
    // The first run waits through the retries and says so; the next one stays offline at once.
    const failures = notices.filter((n) => n.includes("Nothing is lost"));
    expect(failures).toHaveLength(1);
    expect(failures[0]).toContain(`wbflow sync ${dirs[0]}`);
    expect(notices).toContainEqual(expect.stringContaining(`did not answer a moment ago, so run train001 is kept offline; upload it later with \`wbflow sync ${dirs[1]}\``));
    for (const dir of dirs) {
      const log = readdirSync(dir).find((f) => f.endsWith(".wandb"))!;
      expect(existsSync(syncedMarkerPath(path.join(dir, log)))).toBe(false);
    }
    server.faults.clear();
    const results = await syncRuns({
      allIn: path.join(root, "wandb"),
      connection: { baseUrl: server.url, apiKey: TEST_USER.apiKey, timing: recordingTiming() },
      notify: () => undefined,
    });
    expect(results.map((r) => r.status)).toEqual(["synced", "synced"]);
    expect(comparableSnapshot(server)).toEqual(comparableSnapshot(reference));
  });

  it("fails fast on a refused key, says how to fix it, and leaks the key nowhere", async () => {
    const root = tempDir();
    const badKey = "q".repeat(40);
    const run = await (async () => {
      const { init } = await import("../../src/wandb/run/init.js");
      return init(
        { project: "proj", mode: "online", id: "badkey01", dir: root, settings: { base_url: server.url, api_key: badKey } },
        { env: {}, home: root, cwd: root, print: (line) => notices.push(line) },
      );
    })();
    run.log({ loss: 1 });
    await run.finish();
    const graphql = server.requests.filter((r) => r.path === "/graphql");
    expect(graphql).toHaveLength(1); // no retries on 401
    expect(notices.join("\n")).toContain("wbflow login --relogin");
    expect(notices.join("\n")).not.toContain(badKey);
    for (const file of filesUnder(root)) expect(readFileSync(file, "latin1")).not.toContain(badKey);
  });

  it("never writes the key into run files or sends it to storage", async () => {
    const root = tempDir();
    await logDemoRuns(root, "online", server.url);
    for (const file of filesUnder(root)) expect(readFileSync(file, "latin1")).not.toContain(TEST_USER.apiKey);
    expect(notices.join("\n")).not.toContain(TEST_USER.apiKey);
    const storage = server.requests.filter((r) => r.listener === "storage");
    expect(storage.length).toBeGreaterThan(0);
    expect(storage.every((r) => r.headers.authorization === undefined)).toBe(true);
  });

  it("a storage host refusing uploads (on the API's own origin) is not reported as a key problem", async () => {
    const sameOrigin = await startProtocolServer({ storageLayout: "api-origin" });
    try {
      sameOrigin.faults.inject({ route: "upload" }, { kind: "status", status: 403 }, 10_000);
      await logDemoRuns(tempDir(), "online", sameOrigin.url);
      const told = notices.join("\n");
      expect(told).toContain("refused the signed URL");
      expect(told).not.toMatch(/API key|--relogin/);
      sameOrigin.faults.clear();
    } finally {
      await sameOrigin.close();
    }
  });

  it("tries the server again for runs started after the pause", async () => {
    let now = 1_700_000_000_000;
    const timing = { sleep: async (ms: number) => void (now += ms), now: () => now, random: () => 0.5 };
    tuneOnlineRuns({ timing, notify: (line) => notices.push(line) });
    const root = tempDir();
    // A live run stops after LIVE_RUN_PATIENCE_MS without an answer: 4 attempts (waits 2.25 + 4.5 + 9 s; the next would pass 30 s).
    server.faults.inject({ route: "graphql", operationName: "UpsertBucket" }, { kind: "status", status: 503 }, 4);
    const first = await startRun(root, "online", server.url, "pause001");
    // The server is never reached, so a version this machine lacks cannot be looked up there.
    await expect(first.useArtifact("elsewhere:v0")).rejects.toThrow(/Cannot look artifact elsewhere:v0 up on .*connection to the server stopped/);
    await first.finish();
    const attempts = () => server.requests.filter((r) => r.path === "/graphql").length;
    expect(attempts()).toBe(4);
    const second = await startRun(root, "online", server.url, "pause002", {}, 1_700_000_010_000);
    await expect(second.useArtifact("elsewhere:latest")).rejects.toThrow(/elsewhere:latest is not in the local registry, and .* did not answer a moment ago/);
    await second.finish();
    expect(attempts()).toBe(4); // not even tried
    now += 5 * 60_000;
    const third = await startRun(root, "online", server.url, "pause003", {}, 1_700_000_020_000);
    await third.finish();
    expect(server.state.snapshot().runs[`${TEST_USER.entity}/proj/pause003`]).toMatchObject({ state: "finished" });
  });

  it("sync --all leaves an unfinished online run alone, but syncs it when named", async () => {
    const root = tempDir();
    const live = await startRun(root, "online", server.url, "live0001");
    live.log({ loss: 1 });
    const connection = { baseUrl: server.url, apiKey: TEST_USER.apiKey, timing: recordingTiming() };
    const all = await syncRuns({ allIn: path.join(root, "wandb"), connection, notify: () => undefined });
    expect(all.map((r) => [r.status, r.reason])).toEqual([["skipped", expect.stringContaining("has not finished")]]);
    expect(server.requests.some((r) => r.fileStreamBody?.complete)).toBe(false); // sync did not complete it
    await live.finish();
    expect(server.state.findRun(TEST_USER.entity, "proj", "live0001")!.state).toBe("finished");
    const named = await syncRuns({ paths: [live.dir], connection, includeSynced: true, notify: () => undefined });
    expect(named.map((r) => r.status)).toEqual(["synced"]);
    expect(server.state.runs.filter((r) => r.name === "live0001")).toHaveLength(1);
    expect(server.state.findRun(TEST_USER.entity, "proj", "live0001")!.streamed.get("wandb-history.jsonl")).toHaveLength(1);
  });

  it("a sync whose server stops answering does not wait through every retry again for each other run", async () => {
    const root = tempDir();
    await logDemoRuns(root, "offline", server.url);
    const third = await startRun(root, "offline", server.url, "third001", {}, 1_700_000_200_000);
    await third.finish();
    server.faults.inject({ route: "graphql" }, { kind: "status", status: 503 }, 10_000);
    const timing = recordingTiming();
    const told: string[] = [];
    const results = await syncRuns({ allIn: path.join(root, "wandb"), connection: { baseUrl: server.url, apiKey: TEST_USER.apiKey, timing }, notify: (line) => told.push(line) });
    expect(results.map((r) => r.status)).toEqual(["failed", "failed", "failed"]);
    expect(results[0]!.reason).toContain("gave up after 21 attempts");
    for (const result of results.slice(1)) expect(result.reason).toMatch(/^not tried: .* stopped answering during this sync/);
    expect(server.requests.filter((r) => r.path === "/graphql")).toHaveLength(21); // the first run's attempts only
    expect(told).toContainEqual(expect.stringContaining("the 2 run(s) not sent yet were not tried; they stay offline. Run the same sync again"));
    expect((readdirSync(path.join(root, "wandb"), { recursive: true }) as string[]).filter((f) => f.endsWith(".synced"))).toEqual([]);
    // Once the server answers, the same sync sends them all.
    server.faults.clear();
    const again = await syncRuns({ allIn: path.join(root, "wandb"), connection: { baseUrl: server.url, apiKey: TEST_USER.apiKey, timing }, notify: () => undefined });
    expect(again.map((r) => r.status)).toEqual(["synced", "synced", "synced"]);
  });

  it("a run started while the server is down still logs everything locally", async () => {
    const root = tempDir();
    await server.close();
    const run = await startRun(root, "online", server.url, "down0001");
    run.log({ loss: 1 });
    await run.finish();
    expect(notices.some((n) => n.includes("Nothing is lost"))).toBe(true);
    server = await startProtocolServer(); // for afterEach
    const results = await syncRuns({
      paths: [run.dir],
      connection: { baseUrl: server.url, apiKey: TEST_USER.apiKey, timing: recordingTiming() },
      notify: () => undefined,
    });
    expect(results[0]!.status).toBe("synced");
    expect(server.state.snapshot().runs[`${TEST_USER.entity}/proj/down0001`]!.history).toHaveLength(1);
  });
});
