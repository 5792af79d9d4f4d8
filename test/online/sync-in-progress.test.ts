/**
 * `wbflow sync --all` while an offline run is still being written (a long step in a notebook or a
 * flow): the run is left alone instead of being uploaded as a failed run and marked synced (which
 * kept the rest of it, and the outputs it publishes at its finish, off the server for good). A run
 * whose process was killed is still uploaded, as a failed run.
 */
import { spawn } from "node:child_process";
import { existsSync, readdirSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { createInterface } from "node:readline";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { syncRuns } from "../../src/wandb/sync/sync.js";
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

const child = path.join(import.meta.dirname, "in-progress-run-child.ts");

/** Starts the child; resolves with it and its run directory once the run is open. */
async function runInChild(root: string) {
  const proc = spawn(process.execPath, ["--import", "tsx", child, root], { stdio: ["pipe", "pipe", "inherit"] });
  const exited = new Promise<void>((resolve) => proc.on("close", () => resolve()));
  const [dir] = (await createInterface({ input: proc.stdout! })[Symbol.asyncIterator]().next()).value.split("\n") as [string];
  return { proc, exited, dir };
}

function syncAll(root: string) {
  return syncRuns({
    allIn: path.join(root, "wandb"),
    connection: { baseUrl: server.url, apiKey: TEST_USER.apiKey, timing: recordingTiming() },
    notify: () => undefined,
  });
}

const syncedMarkers = (dir: string) => readdirSync(dir).filter((f) => f.endsWith(".synced"));

describe("sync --all and a run still in progress", () => {
  it("leaves a run another process is writing alone, and syncs it once it finished", async () => {
    const root = tempDir("wbflow-inprogress-");
    const done = await startRun(root, "offline", server.url, "done0001");
    await done.finish();
    const going = await runInChild(root);
    try {
      const first = await syncAll(root);
      expect(first.map((r) => [path.basename(r.logPath), r.status])).toEqual(
        expect.arrayContaining([
          ["run-done0001.wandb", "synced"],
          ["run-going001.wandb", "skipped"],
        ]),
      );
      const skipped = first.find((r) => r.logPath.endsWith("run-going001.wandb"))!;
      expect(skipped.reason).toMatch(/^a run still in progress \(process \d+ on .*\); sync it once it finished$/);
      expect(syncedMarkers(going.dir)).toEqual([]);
      expect(server.state.findRun(TEST_USER.entity, "proj", "going001")).toBeUndefined();
    } finally {
      going.proc.stdin!.end(); // the run goes on and finishes
      await going.exited;
    }
    const second = await syncAll(root);
    expect(second.find((r) => r.logPath.endsWith("run-going001.wandb"))?.status).toBe("synced");
    const onServer = server.state.snapshot().runs[`${TEST_USER.entity}/proj/going001`]!;
    expect(onServer.state).toBe("finished");
    expect(onServer.history).toHaveLength(2);
  }, 60_000);

  it("wbflow sync --all says the run was left alone, not that it was already synced", async () => {
    const root = tempDir("wbflow-inprogress-");
    const open = await startRun(root, "offline", server.url, "open0002");
    try {
      const env = { HOME: root, WANDB_DIR: root, WANDB_BASE_URL: server.url, WANDB_API_KEY: TEST_USER.apiKey };
      const result = await runCli(["sync", "--all"], env);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout.trim().split("\n").pop()).toBe("0 synced, 0 already synced, 0 failed. 1 left alone: still being written (sync them once they finished).");
      expect(result.stderr).toMatch(/wbflow sync: .*run-open0002\.wandb: left alone: a run still in progress \(process \d+ on .*\); sync it once it finished/);
    } finally {
      await open.finish();
    }
  }, 60_000);

  it("--print-wandb-commands leaves it out too, as W&B's own sync would mark it synced half-way", async () => {
    const { wandbSyncCommands } = await import("../../src/wandb/sync/wandb-sync-order.js");
    const root = tempDir("wbflow-inprogress-");
    const done = await startRun(root, "offline", server.url, "done0002");
    await done.finish();
    const open = await startRun(root, "offline", server.url, "open0003");
    try {
      expect(await wandbSyncCommands({ allIn: path.join(root, "wandb") })).toEqual([`wandb sync ${done.dir}`]);
    } finally {
      await open.finish();
    }
    expect(await wandbSyncCommands({ allIn: path.join(root, "wandb") })).toHaveLength(2);
  });

  it("leaves a run of this process that is still open alone too", async () => {
    const root = tempDir("wbflow-inprogress-");
    const open = await startRun(root, "offline", server.url, "open0001");
    open.log({ loss: 1 });
    expect((await syncAll(root)).map((r) => r.status)).toEqual(["skipped"]);
    await open.finish();
    expect(existsSync(path.join(open.dir, "run-open0001.wandb.writer"))).toBe(false);
    expect((await syncAll(root)).map((r) => r.status)).toEqual(["synced"]);
  });

  it("uploads a run whose writer's pid now belongs to another process (pid reuse), as a failed run", async () => {
    const { processStartMs } = await import("../../src/wandb/offline/process-start.js");
    const root = tempDir("wbflow-inprogress-");
    const killed = await runInChild(root);
    killed.proc.kill("SIGKILL");
    await killed.exited;
    const sleeper = spawn(process.execPath, ["-e", "setTimeout(() => {}, 60_000)"], { stdio: "ignore" });
    try {
      await new Promise((resolve) => sleeper.once("spawn", resolve));
      const started = processStartMs(sleeper.pid!);
      if (started === undefined) return; // no /proc here: the pid alone decides
      const mark = path.join(killed.dir, "run-going001.wandb.writer");
      writeFileSync(mark, JSON.stringify({ pid: sleeper.pid, host: hostname(), started: started - 3_600_000 }));
      expect((await syncAll(root)).map((r) => r.status)).toEqual(["synced"]);
    } finally {
      sleeper.kill();
    }
  }, 60_000);

  it("still uploads a run whose process was killed, as a failed run", async () => {
    const root = tempDir("wbflow-inprogress-");
    const killed = await runInChild(root);
    killed.proc.kill("SIGKILL");
    await killed.exited;
    expect(existsSync(path.join(killed.dir, "run-going001.wandb.writer"))).toBe(true); // left behind
    expect((await syncAll(root)).map((r) => r.status)).toEqual(["synced"]);
    expect(server.state.findRun(TEST_USER.entity, "proj", "going001")!.state).toBe("failed");
  }, 60_000);
});
