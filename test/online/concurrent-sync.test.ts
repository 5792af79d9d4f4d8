/**
 * Two `wbflow sync --all` processes on one wandb folder at once (issue 13, item 3): the server ends
 * with each version exactly once, every version has its producing run, and every run is synced.
 */
import { spawn } from "node:child_process";
import { readdirSync } from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Artifact } from "../../src/wandb/artifacts/artifact.js";
import { startProtocolServer, TEST_USER, type ProtocolServer } from "../support/protocol-server/protocol-server.js";
import { tempDir } from "./artifact-fixture.js";
import { withLockFile } from "../../src/wandb/offline/lock-file.js";
import { startRun } from "./logged-runs.js";

let server: ProtocolServer;
beforeEach(async () => {
  server = await startProtocolServer();
});
afterEach(async () => {
  await server.close();
});

const cliEntry = path.join(import.meta.dirname, "..", "support", "cli-entry.ts");

/** Starts `wbflow sync --all`; `waiting` resolves once it says it waits for another sync. */
function startSync(env: Record<string, string>) {
  const child = spawn(process.execPath, ["--import", "tsx", cliEntry, "sync", "--all"], { env: { PATH: process.env["PATH"] ?? "", ...env } });
  let stdout = "";
  let stderr = "";
  let sawWaiting!: () => void;
  const waiting = new Promise<void>((resolve) => (sawWaiting = resolve));
  child.stdout.on("data", (d: Buffer) => {
    stdout += d.toString();
    if (/another sync \(process \d+ on .*\) is uploading runs of .*; waiting for it to finish/.test(stdout)) sawWaiting();
  });
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on("close", (code) => resolve({ code, stdout, stderr })),
  );
  return { waiting, done };
}

/** `count` offline runs: run i logs version i of `tbl` and uses version i-1. */
async function logChain(root: string, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const run = await startRun(root, "offline", server.url, `chain${String(i).padStart(3, "0")}`, { job_type: "step" }, 1_700_000_000_000 + i * 100_000);
    if (i > 0) await run.useArtifact(`tbl:v${i - 1}`);
    const artifact = new Artifact("tbl", "dataset");
    artifact.newFile("rows.json").end(JSON.stringify({ i }));
    await run.logArtifact(artifact);
    await run.finish();
  }
}

describe("two syncs at once", () => {
  it("upload each run and version once: the second sync waits for the first", async () => {
    const root = tempDir("wbflow-sync2-");
    const runs = 10;
    await logChain(root, runs);
    const env = { HOME: root, WANDB_BASE_URL: server.url, WANDB_DIR: root, WANDB_API_KEY: TEST_USER.apiKey };
    // The test holds the sync lock until both processes are running and waiting for it, so the two
    // really overlap; then they race for it as two user commands would.
    const results = await withLockFile(path.join(root, "wandb", ".sync.lock"), async () => {
      const syncs = [startSync(env), startSync(env)];
      await Promise.all(syncs.map((s) => Promise.race([s.waiting, s.done])));
      return syncs;
    }).then((syncs) => Promise.all(syncs.map((s) => s.done)));
    const [a, b] = results as [(typeof results)[number], (typeof results)[number]];
    for (const result of results) expect(result.code, result.stderr).toBe(0);
    const versions = server.state.snapshot().artifacts[`${TEST_USER.entity}/proj/tbl`]!;
    expect(versions.map((v) => v.version)).toEqual(Array.from({ length: runs }, (_, i) => `v${i}`));
    expect(versions.every((v) => v.producer !== null)).toBe(true);
    expect(versions.slice(0, -1).every((v) => v.consumers.length === 1)).toBe(true);
    const totals = [a.stdout, b.stdout].map((out) => out.trim().split("\n").pop()).sort();
    expect(totals).toEqual([`0 synced, ${runs} already synced, 0 failed.`, `${runs} synced, 0 already synced, 0 failed.`]);

    const wandbDir = path.join(root, "wandb");
    const markers = readdirSync(wandbDir).flatMap((dir) => (dir.startsWith("offline-run-") ? readdirSync(path.join(wandbDir, dir)) : [])).filter((f) => f.endsWith(".synced"));
    expect(markers).toHaveLength(runs);
  }, 120_000);
});
