/**
 * W&B client benchmarks (issue 3):
 * - MD5 of a 1 GiB file: `digestFile` against coreutils `md5sum` on the same (cached) file.
 * - Re-logging an unchanged 1 GiB artifact against logging it the first time (fresh W&B dir).
 */
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { open } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import type { BenchCase } from "../harness.js";
import { timeMs } from "../harness.js";
import { Artifact } from "../../src/wandb/artifact.js";
import { digestFile } from "../../src/wandb/file-digest.js";
import { init } from "../../src/wandb/init.js";

const GIB = 1024 * 1024 * 1024;
const run = promisify(execFile);

/** Writes `bytes` of incompressible data (a 4 MiB random pattern, repeated) to `file`. */
async function writeBigFile(file: string, bytes: number): Promise<void> {
  const pattern = randomBytes(4 * 1024 * 1024);
  const handle = await open(file, "w");
  try {
    for (let written = 0; written < bytes; written += pattern.length) await handle.write(pattern, 0, Math.min(pattern.length, bytes - written));
  } finally {
    await handle.close();
  }
}

let hashDir = "";
let hashFile = "";

const hashing: BenchCase = {
  name: "wandb: MD5 of a 1 GiB file",
  unit: "MiB/s",
  higherIsBetter: true,
  aim: "ratio ≥ 0.9",
  repeats: 5,
  async setup() {
    hashDir = mkdtempSync(path.join(os.tmpdir(), "wbflow-bench-md5-"));
    hashFile = path.join(hashDir, "one-gib.bin");
    await writeBigFile(hashFile, GIB);
  },
  async teardown() {
    rmSync(hashDir, { recursive: true, force: true });
  },
  baseline: {
    label: "md5sum",
    run: async () => 1024 / ((await timeMs(() => run("md5sum", [hashFile]))) / 1000),
  },
  measured: {
    label: "wbflow digestFile",
    run: async () => 1024 / ((await timeMs(() => digestFile(hashFile))) / 1000),
  },
};

let logRoot = "";
let logFile = "";
let fresh = 0;
const quiet = { print: () => undefined, env: {} as NodeJS.ProcessEnv };

async function logOnce(root: string): Promise<void> {
  const wandbRun = await init({ project: "bench", dir: root, mode: "offline" }, { ...quiet, home: root, cwd: root });
  const artifact = new Artifact("big", "dataset");
  artifact.addFile(logFile);
  await wandbRun.logArtifact(artifact);
  await wandbRun.finish();
}

const relogging: BenchCase = {
  name: "wandb: re-log an unchanged 1 GiB artifact",
  unit: "ms",
  aim: "ratio ≤ 0.05",
  repeats: 3,
  async setup() {
    logRoot = mkdtempSync(path.join(os.tmpdir(), "wbflow-bench-relog-"));
    logFile = path.join(logRoot, "one-gib.bin");
    await writeBigFile(logFile, GIB);
    await logOnce(path.join(logRoot, "kept")); // the W&B dir the re-logging side logs into again
  },
  async teardown() {
    rmSync(logRoot, { recursive: true, force: true });
  },
  baseline: {
    label: "first logging (fresh W&B dir)",
    run: async () => {
      const root = path.join(logRoot, `fresh-${fresh++}`);
      const ms = await timeMs(() => logOnce(root));
      rmSync(root, { recursive: true, force: true });
      return ms;
    },
  },
  measured: {
    label: "re-logging, same content",
    run: () => timeMs(() => logOnce(path.join(logRoot, "kept"))),
  },
};

export const cases: BenchCase[] = [hashing, relogging];
