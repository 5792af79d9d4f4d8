/**
 * Datastore and codec benchmarks:
 * - put+get of small artifacts (kept inline in the index) and of 16 KiB ones (blob files) through the
 *   Datastore vs plain `v8.serialize` + `writeFile`;
 * - whether to gzip blobs (time and size for a typical artifact mix);
 * - storing a big file by streaming (throughput and peak memory) vs a hashing stream copy;
 * - the Parquet writer choice: hyparquet-writer (baseline) vs parquet-wasm on a 1M-row arquero table
 *   (time, file size, peak memory in a child process).
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, mkdtemp, open, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { deserialize, serialize } from "node:v8";
import { gzipSync } from "node:zlib";
import * as aq from "arquero";
import { parquetWriteBuffer } from "hyparquet-writer";
import { FilePath, tableToParquet } from "../../src/codecs/index.js";
import { Datastore, type ArtifactRecord } from "../../src/flow/datastore/datastore.js";
import { peakRssMiB, timeMs, type BenchCase } from "../harness.js";

const SMALL_ARTIFACTS = 500;
const BIG_FILE_MIB = 256;
const PARQUET_ROWS = 1_000_000;

let workDir = "";
let counter = 0;

async function freshDir(): Promise<void> {
  workDir = await mkdtemp(join(tmpdir(), "wbflow-bench-store-"));
}
async function freshStore(): Promise<void> {
  await freshDir();
  store = new Datastore({ root: workDir });
}
/** Milliseconds per item of `count` items processed by `work`. */
async function msPer(count: number, work: () => Promise<void>): Promise<number> {
  return (await timeMs(work)) / count;
}
async function removeDir(): Promise<void> {
  await rm(workDir, { recursive: true, force: true });
}

function bigFile(): string {
  return join(workDir, "big.bin");
}

/** Writes a file of BIG_FILE_MIB MiB of non-repeating bytes, 1 MiB at a time. */
async function makeBigFile(): Promise<void> {
  await freshDir();
  const handle = await open(bigFile(), "w");
  const chunk = Buffer.alloc(2 ** 20);
  for (let i = 0; i < BIG_FILE_MIB; i++) {
    chunk.writeUInt32LE(i, 0);
    for (let j = 4; j < chunk.length; j += 4096) chunk.writeUInt32LE((i * 7919 + j) >>> 0, j);
    await handle.write(chunk);
  }
  await handle.close();
}

/** A small artifact like a step's metrics; distinct each call so nothing deduplicates. */
/** About 16 KiB encoded: over the inline limit, so stored as a blob file. */
function mediumArtifact(): Float64Array {
  counter++;
  return new Float64Array(2048).fill(counter);
}

function smallArtifact(): Record<string, unknown> {
  counter++;
  return { step: counter, accuracy: 0.9 + (counter % 100) / 1000, tags: ["a", "b"], at: new Date(counter) };
}

/** A 1M-row table with an int, a float, a repeated string and a boolean column. */
function bigTable(): aq.ColumnTable {
  const id = new Int32Array(PARQUET_ROWS).map((_, i) => i);
  const x = new Float64Array(PARQUET_ROWS).map((_, i) => Math.sin(i));
  const label = Array.from({ length: PARQUET_ROWS }, (_, i) => `label-${i % 1000}`);
  const flag = Array.from({ length: PARQUET_ROWS }, (_, i) => i % 3 === 0);
  return aq.table({ id, x, label, flag });
}

function writeWithHyparquet(table: aq.ColumnTable): ArrayBuffer {
  return parquetWriteBuffer({
    columnData: [
      { name: "id", data: table.array("id") as Int32Array, type: "INT32" },
      { name: "x", data: table.array("x") as Float64Array, type: "DOUBLE" },
      { name: "label", data: table.array("label") as string[], type: "STRING" },
      { name: "flag", data: table.array("flag") as boolean[], type: "BOOLEAN" },
    ],
  });
}

/**
 * Peak RSS (MiB) of this process since it started, from /proc/self/status VmHWM. Not
 * `process.resourceUsage().maxRSS`: Linux carries the parent's high-water mark into a forked
 * child's maxRSS across exec, so a child of a big bench process would report the parent's peak.
 */
async function childPeakMiB(): Promise<number> {
  const status = await readFile("/proc/self/status", "utf8").catch(() => "");
  const kib = /VmHWM:\s+(\d+) kB/.exec(status)?.[1];
  return kib === undefined ? peakRssMiB() : Number(kib) / 1024;
}

/** Child-process entry: writes the table once with one writer and prints peak RSS in MiB. */
async function parquetMemoryChild(writer: string): Promise<void> {
  const table = bigTable();
  if (writer === "hyparquet-writer") writeWithHyparquet(table);
  else await tableToParquet(table);
  process.stdout.write(String(await childPeakMiB()));
}

/** Child-process entry: stores a big file one way and prints peak RSS in MiB. */
async function fileMemoryChild(how: string, file: string, root: string): Promise<void> {
  if (how === "datastore") await new Datastore({ root }).putValue("BenchFlow", new FilePath(file));
  else await hashingCopy(file, join(root, "copy"));
  process.stdout.write(String(await childPeakMiB()));
}

/** The least any content-addressed store must do: read, hash and write the bytes once. */
async function hashingCopy(from: string, to: string): Promise<void> {
  const hash = createHash("sha256");
  await pipeline(createReadStream(from), new Transform({ transform(chunk: Buffer, _e, done) { hash.update(chunk); done(null, chunk); } }), createWriteStream(to));
  hash.digest("hex");
}

async function peakOfChild(...args: string[]): Promise<number> {
  const self = fileURLToPath(import.meta.url);
  const { stdout } = await promisify(execFile)(process.execPath, ["--import", "tsx", self, ...args], {
    cwd: join(fileURLToPath(import.meta.url), "..", "..", ".."),
  });
  return Number(stdout.trim());
}

/** A typical mix of artifacts, encoded, for the compression decision. */
function artifactMix(): Uint8Array[] {
  const floats = new Float64Array(200_000).map((_, i) => Math.random() * i);
  const table = aq.table({ id: Int32Array.from({ length: 50_000 }, (_, i) => i), label: Array.from({ length: 50_000 }, (_, i) => `c${i % 50}`) });
  const records = Array.from({ length: 5_000 }, (_, i) => ({ id: i, name: `item ${i}`, score: i / 7 }));
  return [serialize(floats), aq.toArrowIPC(table, { format: "stream" }), serialize(records), serialize(smallArtifact())];
}

let table: aq.ColumnTable | undefined;
let mix: Uint8Array[] = [];
let store: Datastore | undefined;

const TASKS = 200;

/** What the engine stores per small task: a few status artifacts (mostly repeated) and one value. */
function taskArtifacts(taskId: number): Record<string, unknown> {
  return { name: "BenchFlow", _task_ok: true, _success: true, _exception: null, _foreach_stack: [], _transition: [["end"], null], value: taskId };
}

/** Storing and reading back values made by `make`, through the Datastore vs plain files. */
function putGetCase(name: string, aim: string, make: () => unknown): BenchCase {
  const perArtifactUs = async (putGet: () => Promise<void>) => 1000 * (await msPer(SMALL_ARTIFACTS, async () => {
    for (let i = 0; i < SMALL_ARTIFACTS; i++) await putGet();
  }));
  return {
    name,
    unit: "µs/artifact",
    aim,
    setup: freshStore,
    teardown: removeDir,
    baseline: {
      label: "v8.serialize + writeFile + readFile",
      run: () =>
        perArtifactUs(async () => {
          const path = join(workDir, `plain-${counter}`);
          await writeFile(path, serialize(make()));
          deserialize(await readFile(path));
        }),
    },
    measured: {
      label: "Datastore putValue + getValue",
      run: () =>
        perArtifactUs(async () => {
          const stored = await store!.putValue("BenchFlow", make());
          await store!.getValue("BenchFlow", { ...stored, name: "x", producedBy: "BenchFlow/1/s/1" });
        }),
    },
  };
}

export const cases: BenchCase[] = [
  {
    name: "store: task record (start, 7 artifacts, finish, read back)",
    unit: "ms/task",
    aim: "ratio ≤ 1.5 (small values inline: one folder and one done file per task)",
    setup: freshStore,
    teardown: removeDir,
    baseline: {
      label: "7 × (v8.serialize + writeFile) + index writeFile",
      run: () =>
        msPer(TASKS, async () => {
          for (let t = 0; t < TASKS; t++) {
            const dir = join(workDir, "plain", String(counter++));
            await mkdir(dir, { recursive: true });
            for (const [name, value] of Object.entries(taskArtifacts(t))) await writeFile(join(dir, name), serialize(value));
            await writeFile(join(dir, "index.json"), "{}");
          }
        }),
    },
    measured: {
      label: "Datastore start/putValue/finish/readTask",
      run: () =>
        msPer(TASKS, async () => {
          const runId = String(counter++);
          for (let t = 0; t < TASKS; t++) {
            const key = { flowName: "BenchFlow", runId, stepName: "step", taskId: String(t) };
            await store!.startAttempt(key, 0);
            const artifacts: Record<string, ArtifactRecord> = {};
            for (const [name, value] of Object.entries(taskArtifacts(t))) {
              artifacts[name] = { name, producedBy: "BenchFlow/1/step/1", ...(await store!.putValue("BenchFlow", value)) };
            }
            await store!.finishAttempt(key, 0, { artifacts, metadata: { attempt: 0 } });
            await store!.readTask(key);
          }
        }),
    },
  },
  putGetCase("store: put+get small artifact", "ratio ≤ 1 (kept inline in the record: a hash, no file)", smallArtifact),
  putGetCase(
    "store: put+get 16 KiB artifact (blob file)",
    "ratio ≤ 2 (content addressing costs a hash, a stat and a rename)",
    mediumArtifact,
  ),
  {
    name: "store: blob compression time (gzip level 1 vs raw)",
    unit: "ms/mix",
    setup: async () => {
      await freshDir();
      mix = artifactMix();
    },
    teardown: removeDir,
    baseline: {
      label: "raw writeFile",
      run: () => timeMs(async () => { for (const [i, bytes] of mix.entries()) await writeFile(join(workDir, `raw-${i}`), bytes); }),
    },
    measured: {
      label: "gzip -1 + writeFile",
      run: () => timeMs(async () => { for (const [i, bytes] of mix.entries()) await writeFile(join(workDir, `gz-${i}`), gzipSync(bytes, { level: 1 })); }),
    },
  },
  {
    name: "store: blob compression size (gzip level 1 vs raw)",
    unit: "MiB",
    repeats: 1,
    setup: async () => { mix = artifactMix(); },
    baseline: { label: "raw", run: async () => mix.reduce((n, b) => n + b.byteLength, 0) / 2 ** 20 },
    measured: { label: "gzip -1", run: async () => mix.reduce((n, b) => n + gzipSync(b, { level: 1 }).byteLength, 0) / 2 ** 20 },
  },
  {
    name: "parquet: write 1M-row arquero table",
    unit: "ms",
    repeats: 3,
    aim: "pick the faster writer",
    setup: async () => { table = bigTable(); },
    teardown: async () => { table = undefined; },
    baseline: { label: "hyparquet-writer 0.17.0", run: () => timeMs(() => writeWithHyparquet(table!)) },
    measured: { label: "parquet-wasm 0.8.0 (tableToParquet)", run: () => timeMs(() => tableToParquet(table!)) },
  },
  {
    name: "parquet: file size of 1M-row table",
    unit: "MiB",
    repeats: 1,
    setup: async () => { table = bigTable(); },
    teardown: async () => { table = undefined; },
    baseline: { label: "hyparquet-writer 0.17.0", run: async () => writeWithHyparquet(table!).byteLength / 2 ** 20 },
    measured: { label: "parquet-wasm 0.8.0 (snappy)", run: async () => (await tableToParquet(table!)).bytes.byteLength / 2 ** 20 },
  },
  {
    name: "parquet: peak memory writing 1M rows (child process)",
    unit: "MiB peak",
    repeats: 1,
    baseline: { label: "hyparquet-writer 0.17.0", run: () => peakOfChild("--parquet-memory", "hyparquet-writer") },
    measured: { label: "parquet-wasm 0.8.0", run: () => peakOfChild("--parquet-memory", "parquet-wasm") },
  },
  {
    name: `store: put a ${BIG_FILE_MIB} MiB FilePath, throughput`,
    unit: "MiB/s",
    higherIsBetter: true,
    repeats: 3,
    aim: "ratio ≥ 0.5 (tar framing + hash + temp file + rename)",
    setup: makeBigFile,
    teardown: removeDir,
    baseline: { label: "stream copy with sha256", run: async () => BIG_FILE_MIB / ((await timeMs(() => hashingCopy(bigFile(), join(workDir, `copy-${counter++}`)))) / 1000) },
    measured: {
      // A fresh store each time, so the blob is written, not found by dedup.
      label: "Datastore putValue(FilePath)",
      run: async () => BIG_FILE_MIB / ((await timeMs(() => new Datastore({ root: join(workDir, `store-${counter++}`) }).putValue("BenchFlow", new FilePath(bigFile())))) / 1000),
    },
  },
  {
    name: `store: put a ${BIG_FILE_MIB} MiB FilePath, peak memory (child process)`,
    unit: "MiB peak",
    repeats: 1,
    aim: "streamed: no more than the baseline plus a few MiB",
    setup: makeBigFile,
    teardown: removeDir,
    baseline: { label: "stream copy with sha256", run: () => peakOfChild("--file-memory", "copy", bigFile(), workDir) },
    measured: { label: "Datastore putValue(FilePath)", run: () => peakOfChild("--file-memory", "datastore", bigFile(), join(workDir, "store")) },
  },
];

const parquetFlag = process.argv.indexOf("--parquet-memory");
if (parquetFlag >= 0) await parquetMemoryChild(process.argv[parquetFlag + 1]!);
const fileFlag = process.argv.indexOf("--file-memory");
if (fileFlag >= 0) await fileMemoryChild(process.argv[fileFlag + 1]!, process.argv[fileFlag + 2]!, process.argv[fileFlag + 3]!);
