/**
 * W&B client benchmarks (issue 3):
 * - MD5 of a 1 GiB file: `digestFile` against coreutils `md5sum` on the same (cached) file.
 * - Re-logging an unchanged 1 GiB artifact against logging it the first time (fresh W&B dir).
 * - `run.log` throughput against writing the same rows as plain JSON lines.
 */
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { closeSync, fsyncSync, mkdtempSync, openSync, rmSync, writeSync } from "node:fs";
import { open } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import type { BenchCase } from "../harness.js";
import { timeMs } from "../harness.js";
import { Artifact } from "../../src/wandb/artifacts/artifact.js";
import { digestFile } from "../../src/wandb/artifacts/file-digest.js";
import { init } from "../../src/wandb/run/init.js";

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

const ROWS = 10_000;
let rowsDir = "";
const row = (i: number) => ({ loss: 1 / (i + 1), accuracy: i / ROWS, epoch: Math.floor(i / 100), lr: 0.001 });

const logging: BenchCase = {
  name: "wandb: run.log of 10k rows",
  unit: "rows/s",
  higherIsBetter: true,
  aim: "overhead of the W&B log format (history + summary records) over plain JSON lines",
  repeats: 5,
  async setup() {
    rowsDir = mkdtempSync(path.join(os.tmpdir(), "wbflow-bench-log-"));
  },
  async teardown() {
    rmSync(rowsDir, { recursive: true, force: true });
  },
  baseline: {
    label: "JSON lines, one write per row",
    run: async () => {
      const file = path.join(rowsDir, `plain-${fresh++}.jsonl`);
      const ms = await timeMs(() => {
        const fd = openSync(file, "w");
        for (let i = 0; i < ROWS; i++) writeSync(fd, JSON.stringify({ ...row(i), _step: i, _timestamp: Date.now() / 1000 }) + "\n");
        fsyncSync(fd);
        closeSync(fd);
      });
      return ROWS / (ms / 1000);
    },
  },
  measured: {
    label: "wbflow run.log (offline .wandb)",
    run: async () => {
      const root = path.join(rowsDir, `run-${fresh++}`);
      const ms = await timeMs(async () => {
        const wandbRun = await init({ project: "bench", dir: root, mode: "offline" }, { ...quiet, home: root, cwd: root });
        for (let i = 0; i < ROWS; i++) wandbRun.log(row(i));
        await wandbRun.finish();
      });
      return ROWS / (ms / 1000);
    },
  },
};

export const cases: BenchCase[] = [hashing, relogging, logging];
