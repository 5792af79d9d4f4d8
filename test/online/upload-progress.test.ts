/**
 * `wbflow sync` upload progress: a bar redrawn in place on a terminal (an injected isTTY stream, and
 * the real CLI on a pseudo-terminal), plain 10 % lines elsewhere.
 */
import { writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { uploadProgressReporter, type ProgressOutput } from "../../src/cli/wandb/upload-progress.js";
import { Artifact } from "../../src/wandb/artifacts/artifact.js";
import { startProtocolServer, TEST_USER, type ProtocolServer } from "../support/protocol-server/protocol-server.js";
import { tempDir } from "./artifact-fixture.js";
import { runCli, runCliOnTerminal } from "./cli-process.js";
import { startRun } from "./logged-runs.js";

const MiB = 1024 ** 2;

function capture(isTTY: boolean): ProgressOutput & { text: string } {
  const out = { text: "", isTTY, write: (chunk: string) => void (out.text += chunk) };
  return out;
}

/** A clock the test moves by hand. */
function manualClock() {
  let ms = 1_000;
  return { now: () => ms, advance: (by: number) => void (ms += by) };
}

describe("upload progress reporter", () => {
  it("prints a line per 10 % step when not on a terminal", () => {
    const out = capture(false);
    const progress = uploadProgressReporter(out, { minBytes: MiB });
    for (let done = 0; done <= 100 * MiB; done += 7 * MiB) progress.onProgress({ name: "big", uploadedBytes: done, totalBytes: 100 * MiB });
    progress.onProgress({ name: "big", uploadedBytes: 100 * MiB, totalBytes: 100 * MiB });
    progress.onProgress({ name: "tiny", uploadedBytes: 10, totalBytes: 10 });
    progress.line("wandb: synced run x");
    progress.end();
    const lines = out.text.split("\n").filter(Boolean);
    expect(lines[0]).toBe("wandb: uploading artifact big: 0% (0 of 100 MiB)");
    expect(lines.filter((l) => l.startsWith("wandb: uploading artifact big"))).toHaveLength(11);
    expect(lines.at(-2)).toBe("wandb: uploading artifact big: 100% (100 of 100 MiB)");
    expect(lines.at(-1)).toBe("wandb: synced run x");
    expect(out.text).not.toContain("\r");
    expect(out.text).not.toContain("tiny");
  });

  it("redraws one bar in place with bytes, total and rate on a terminal", () => {
    const out = capture(true);
    const clock = manualClock();
    const progress = uploadProgressReporter(out, { minBytes: MiB, now: clock.now, redrawEveryMs: 100 });
    progress.onProgress({ name: "model", uploadedBytes: 0, totalBytes: 40 * MiB });
    clock.advance(1_000);
    progress.onProgress({ name: "model", uploadedBytes: 10 * MiB, totalBytes: 40 * MiB });
    clock.advance(10); // too soon after the last redraw: skipped
    progress.onProgress({ name: "model", uploadedBytes: 11 * MiB, totalBytes: 40 * MiB });
    clock.advance(990);
    progress.onProgress({ name: "model", uploadedBytes: 40 * MiB, totalBytes: 40 * MiB });
    progress.line("wandb: synced run y");

    const frames = out.text.split("\r").filter(Boolean);
    expect(frames).toHaveLength(3);
    expect(frames[1]).toMatch(/^wandb: uploading model {2}\[█{6}░{18}\] {2}10 MiB\/40 MiB \(25%\) {2}10 MiB\/s$/);
    expect(frames[2]).toMatch(/40 MiB\/40 MiB \(100%\) {2}20 MiB\/s\nwandb: synced run y\n$/);
    expect(out.text.match(/\n/g)).toHaveLength(2);
  });

  it("ends a bar before the next artifact's bar and before other lines", () => {
    const out = capture(true);
    const clock = manualClock();
    const progress = uploadProgressReporter(out, { minBytes: 0, now: clock.now });
    progress.onProgress({ name: "a", uploadedBytes: 5, totalBytes: 10 });
    progress.line("wandb: a notice");
    clock.advance(500);
    progress.onProgress({ name: "b", uploadedBytes: 1, totalBytes: 10 });
    progress.end();
    progress.end();
    expect(out.text.split("\n")).toEqual([
      "\rwandb: uploading a  [████████████░░░░░░░░░░░░]  5 B/10 B (50%)  –/s",
      "wandb: a notice",
      "\rwandb: uploading b  [██░░░░░░░░░░░░░░░░░░░░░░]  1 B/10 B (10%)  –/s",
      "",
    ]);
  });
});

describe("wbflow sync on a terminal and in a pipe", () => {
  let server: ProtocolServer;
  let home: string;
  beforeAll(async () => {
    server = await startProtocolServer({ keepBytes: false });
    home = tempDir("wbflow-sync-progress-");
    // One offline run with a 72 MiB artifact: above the size that shows progress.
    const run = await startRun(home, "offline", server.url, "bigart01");
    const file = path.join(home, "weights.bin");
    writeFileSync(file, Buffer.alloc(72 * MiB, 7));
    const artifact = new Artifact("weights", "model");
    artifact.addFile(file);
    await run.logArtifact(artifact);
    await run.finish();
  });
  afterAll(async () => {
    await server.close();
  });
  const env = () => ({ HOME: home, WANDB_DIR: home, WANDB_BASE_URL: server.url, WANDB_API_KEY: TEST_USER.apiKey });

  it("draws a bar updated with carriage returns on a pseudo-terminal", async () => {
    // --include-synced: the run is uploaded whichever of these tests ran first and marked it synced.
    const result = await runCliOnTerminal(["sync", "--all", "--include-synced"], env());
    expect(result.code).toBe(0);
    const bar = result.stdout.split("\n").find((line) => line.includes("wandb: uploading weights"));
    expect(bar).toBeDefined();
    expect(bar).toMatch(/\rwandb: uploading weights {2}\[/);
    expect(bar).toMatch(/72 MiB\/72 MiB \(100%\) {2}\S+ \S*B\/s/);
    expect(result.stdout).not.toContain("uploading artifact weights:");
    expect(result.stdout).toContain("1 synced");
  });

  it("prints plain 10 % lines when stdout is a pipe", async () => {
    // A fresh server: the first one already holds the artifact, so nothing would be uploaded.
    const fresh = await startProtocolServer({ keepBytes: false });
    const result = await runCli(["sync", "--all", "--include-synced"], { ...env(), WANDB_BASE_URL: fresh.url }).finally(() => fresh.close());
    expect(result.code).toBe(0);
    expect(result.stdout).not.toContain("\r");
    const steps = result.stdout.split("\n").filter((line) => line.startsWith("wandb: uploading artifact weights: "));
    expect(steps.map((line) => Number(/: (\d+)%/.exec(line)![1]))).toEqual([0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100]);
    expect(steps.at(-1)).toBe("wandb: uploading artifact weights: 100% (72 of 72 MiB)");
    expect(result.stdout).toContain("1 synced");
  });
});
