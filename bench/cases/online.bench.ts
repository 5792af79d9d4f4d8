/**
 * Online client throughput against the loopback protocol test server:
 * - a 1 GiB artifact through the whole §4.5 sequence vs a plain HTTP PUT of the same bytes;
 * - 100k history rows through file_stream (and through the sender, from records) vs plain POSTs
 *   of the same rows in the same request sizes;
 * - rows each followed by a summary update, with a 200 KB summary vs a tiny one.
 */
import { createHash } from "node:crypto";
import { execFile } from "node:child_process";
import { createReadStream, createWriteStream, mkdtempSync, rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { request } from "node:http";
import os from "node:os";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import type { BenchCase } from "../harness.js";
import { timeMs } from "../harness.js";
import { startProtocolServer, TEST_USER, type ProtocolServer } from "../../test/support/protocol-server/protocol-server.js";
import { WandbHttpClient } from "../../src/wandb/online/http/http-client.js";
import { uploadArtifact } from "../../src/wandb/online/artifacts/artifact-uploader.js";
import { upsertBucket } from "../../src/wandb/online/run/run-operations.js";
import { FileStream, HISTORY_FILE } from "../../src/wandb/online/run/file-stream.js";
import { OnlineSender } from "../../src/wandb/online/online-sender.js";
import type { WandbRecord } from "../../src/wandb/protocol/records.js";

const GIB = 1024 ** 3;
const ROWS = 100_000;

let server: ProtocolServer;
let http: WandbHttpClient;

/** A case's own protocol server and a client of it, started before and stopped after the case. */
const withProtocolServer = {
  async setup() {
    server = await startProtocolServer();
    http = new WandbHttpClient({ baseUrl: server.url, apiKey: TEST_USER.apiKey });
  },
  async teardown() {
    await server.close();
  },
};
let dir: string;
let bigFile: string;
let bigMd5: string;

/** Writes 1 GiB of varied bytes (not compressible, not all one value) and hashes it. */
async function writeBigFile(file: string): Promise<string> {
  const block = Buffer.alloc(1 << 20);
  const hash = createHash("md5");
  const out = createWriteStream(file);
  for (let i = 0; i < 1024; i++) {
    for (let j = 0; j < block.length; j += 4) block.writeUInt32LE((i * 2654435761 + j * 40503) >>> 0, j);
    hash.update(block);
    if (!out.write(block)) await new Promise<void>((resolve) => out.once("drain", () => resolve()));
  }
  await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
  return hash.digest("base64");
}

function plainPut(url: string, file: string, md5: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: "PUT", headers: { "content-length": GIB, "content-md5": md5 } }, (res) => {
      res.resume();
      res.on("end", () => (res.statusCode === 200 ? resolve() : reject(new Error(`PUT answered ${res.statusCode}`))));
    });
    req.on("error", reject);
    pipeline(createReadStream(file, { highWaterMark: 1 << 20 }), req).catch(reject);
  });
}

/** Forgets stored blobs and artifacts so every repetition uploads everything again. */
function forgetArtifacts(): void {
  server.state.blobs.clear();
  server.state.artifacts.clear();
  server.state.collections.clear();
  server.state.manifests.clear();
}

let uploadRound = 0;
const artifactUpload: BenchCase = {
  name: "online: 1 GiB artifact upload",
  unit: "MiB/s",
  higherIsBetter: true,
  aim: "ratio ≥ 0.8",
  repeats: 3,
  async setup() {
    server = await startProtocolServer({ keepBytes: false });
    http = new WandbHttpClient({ baseUrl: server.url, apiKey: TEST_USER.apiKey });
    await upsertBucket(http, { runId: "bench001", project: "bench" });
    dir = mkdtempSync(path.join(os.tmpdir(), "wbflow-bench-online-"));
    bigFile = path.join(dir, "weights.bin");
    bigMd5 = await writeBigFile(bigFile);
  },
  async teardown() {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  },
  baseline: {
    label: "plain HTTP PUT",
    async run() {
      forgetArtifacts();
      const ms = await timeMs(() => plainPut(`${server.storageOrigin}/storage/blobs/${encodeURIComponent(bigMd5)}`, bigFile, bigMd5));
      return 1024 / (ms / 1000);
    },
  },
  measured: {
    label: "uploadArtifact (create → files → PUT → manifest → commit)",
    async run() {
      forgetArtifacts();
      uploadRound += 1;
      const ms = await timeMs(() =>
        uploadArtifact(http, {
          entity: TEST_USER.entity,
          project: "bench",
          runId: "bench001",
          type: "model",
          name: "weights",
          digest: createHash("md5").update(`wandb-artifact-manifest-v1\nweights.bin:${bigMd5}\n`).digest("hex"),
          aliases: ["latest"],
          clientId: `bench-${uploadRound}`,
          sequenceClientId: "bench-seq",
          entries: [{ path: "weights.bin", digest: bigMd5, size: GIB, localPath: bigFile }],
        }),
      );
      return 1024 / (ms / 1000);
    },
  },
};

/**
 * Peak memory of one 1 GiB upload, each in a fresh child process (so neither side's heap history
 * counts): the artifact sequence against the plain PUT. Streaming keeps both near the baseline.
 */
const srcDir = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "src", "wandb", "online");
let memoryRound = 0;

function childPeakRss(script: string): Promise<number> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { maxBuffer: 1 << 20 }, (error, stdout) => {
      if (error) reject(error);
      else resolve(Number(stdout.trim().split("\n").pop()) / 1024);
    });
  });
}

const uploadMemory: BenchCase = {
  name: "online: 1 GiB artifact upload peak memory",
  unit: "MiB peak RSS",
  aim: "ratio ≤ 1.2",
  repeats: 3,
  setup: artifactUpload.setup!,
  teardown: artifactUpload.teardown!,
  baseline: {
    label: "plain HTTP PUT (node:http + fs stream)",
    async run() {
      forgetArtifacts();
      const url = `${server.storageOrigin}/storage/blobs/${encodeURIComponent(bigMd5)}`;
      return childPeakRss(`
        import { request } from "node:http";
        import { createReadStream } from "node:fs";
        import { pipeline } from "node:stream/promises";
        await new Promise((resolve, reject) => {
          const req = request(${JSON.stringify(url)}, { method: "PUT", headers: { "content-length": ${GIB}, "content-md5": ${JSON.stringify(bigMd5)} } }, (res) => { res.resume(); res.on("end", resolve); });
          req.on("error", reject);
          pipeline(createReadStream(${JSON.stringify(bigFile)}, { highWaterMark: 1 << 20 }), req).catch(reject);
        });
        console.log(process.resourceUsage().maxRSS);`);
    },
  },
  measured: {
    label: "uploadArtifact",
    async run() {
      forgetArtifacts();
      memoryRound += 1;
      const digest = createHash("md5").update(`wandb-artifact-manifest-v1\nweights.bin:${bigMd5}\n`).digest("hex");
      return childPeakRss(`
        import { WandbHttpClient } from ${JSON.stringify(path.join(srcDir, "http-client.ts"))};
        import { uploadArtifact } from ${JSON.stringify(path.join(srcDir, "artifact-uploader.ts"))};
        const http = new WandbHttpClient({ baseUrl: ${JSON.stringify(server.url)}, apiKey: ${JSON.stringify(TEST_USER.apiKey)} });
        await uploadArtifact(http, {
          entity: ${JSON.stringify(TEST_USER.entity)}, project: "bench", runId: "bench001", type: "model", name: "weights",
          digest: ${JSON.stringify(digest)}, aliases: ["latest"], clientId: "memory-${memoryRound}", sequenceClientId: "bench-seq",
          entries: [{ path: "weights.bin", digest: ${JSON.stringify(bigMd5)}, size: ${GIB}, localPath: ${JSON.stringify(bigFile)} }],
        });
        console.log(process.resourceUsage().maxRSS);`);
    },
  },
};

const rows = Array.from({ length: ROWS }, (_, i) =>
  JSON.stringify({ _step: i, loss: 1 / (i + 1), accuracy: i / ROWS, _runtime: i * 0.01, _timestamp: 1_700_000_000 + i * 0.01 }),
);
let streamRound = 0;

async function newRun(): Promise<{ entity: string; project: string; runId: string }> {
  streamRound += 1;
  const run = await upsertBucket(http, { runId: `stream${streamRound}`, project: "bench" });
  return { entity: run.entity, project: run.project, runId: run.runId };
}

/** The same rows, in bodies of the same size limit, posted one after the other. */
async function plainPosts(target: { entity: string; project: string; runId: string }): Promise<void> {
  const budget = (10 << 20) - 100 * 1024;
  let offset = 0;
  while (offset < rows.length) {
    const content: string[] = [];
    let size = 200;
    while (offset + content.length < rows.length && size + rows[offset + content.length]!.length + 8 <= budget) {
      size += rows[offset + content.length]!.length + 8;
      content.push(rows[offset + content.length]!);
    }
    const body = Buffer.from(JSON.stringify({ files: { [HISTORY_FILE]: { offset, content } } }));
    await http.send(
      { method: "POST", url: `/files/${target.entity}/${target.project}/${target.runId}/file_stream`, body, what: "plain POST" },
      { name: "plain", maxAttempts: 1, minWaitMs: 0, maxWaitMs: 0, attemptTimeoutMs: 60_000, retriesStatus: () => false },
    );
    offset += content.length;
  }
}

function streamCase(name: string, label: string, measure: (target: { entity: string; project: string; runId: string }) => Promise<string>): BenchCase {
  return {
    name,
    unit: "rows/s",
    higherIsBetter: true,
    ...withProtocolServer,
    baseline: {
      label: "plain POSTs of the same bodies",
      async run() {
        const target = await newRun();
        return ROWS / ((await timeMs(() => plainPosts(target))) / 1000);
      },
    },
    measured: {
      label,
      async run() {
        const target = await newRun();
        let runId = "";
        const ms = await timeMs(async () => (runId = await measure(target)));
        if (server.state.findRun(target.entity, target.project, runId)?.streamed.get(HISTORY_FILE)?.length !== ROWS) {
          throw new Error(`${name}: the server did not get all ${ROWS} rows`);
        }
        return ROWS / (ms / 1000);
      },
    },
  };
}

const historyRecords: WandbRecord[] = Array.from({ length: ROWS }, (_, i) => ({
  type: "history",
  history: {
    item: [
      { key: "loss", valueJson: String(1 / (i + 1)) },
      { key: "accuracy", valueJson: String(i / ROWS) },
      { key: "_step", valueJson: String(i) },
      { key: "_runtime", valueJson: String(i * 0.01) },
      { key: "_timestamp", valueJson: String(1_700_000_000 + i * 0.01) },
    ],
  },
}));

/**
 * A run with a large summary (one 200 KB value set once) that then logs rows, each followed by the
 * summary record the client writes after every row (as W&B's does): the summary goes out once per
 * request, so the sender keeps its pace against the same run with a tiny summary.
 */
const SUMMARY_ROWS = 20_000;
function rowsWithSummary(summaryBytes: number, runId: string, target: { entity: string; project: string }): WandbRecord[] {
  const records: WandbRecord[] = [
    { type: "run", run: { runId, entity: target.entity, project: target.project } },
    { type: "summary", summary: { update: [{ key: "notes", valueJson: JSON.stringify("n".repeat(summaryBytes)) }] } },
  ];
  for (const history of historyRecords.slice(0, SUMMARY_ROWS)) {
    records.push(history, { type: "summary", summary: { update: history.type === "history" ? history.history.item ?? [] : [] } });
  }
  records.push({ type: "exit", exit: { exitCode: 0 } });
  return records;
}

async function sendRecords(records: WandbRecord[], target: { entity: string; project: string }): Promise<number> {
  const sender = new OnlineSender({ http, mode: "sync", defaultEntity: target.entity, defaultProject: target.project });
  return timeMs(async () => {
    for (const record of records) void sender.write(record);
    await sender.close();
  });
}

const largeSummary: BenchCase = {
  name: "online: sender 20k rows, each with a summary update, 200 KB summary",
  unit: "rows/s",
  higherIsBetter: true,
  aim: "ratio ≥ 0.7",
  repeats: 3,
  ...withProtocolServer,
  baseline: {
    label: "the same run with a 10-byte summary value",
    async run() {
      const target = await newRun();
      return SUMMARY_ROWS / ((await sendRecords(rowsWithSummary(10, `${target.runId}-small`, target), target)) / 1000);
    },
  },
  measured: {
    label: "with a 200 KB summary value",
    async run() {
      const target = await newRun();
      return SUMMARY_ROWS / ((await sendRecords(rowsWithSummary(200_000, `${target.runId}-large`, target), target)) / 1000);
    },
  },
};

export const cases: BenchCase[] = [
  largeSummary,
  artifactUpload,
  uploadMemory,
  streamCase("online: file_stream 100k history rows", "FileStream.append + finish", async (target) => {
    const stream = new FileStream(http, target);
    stream.append(HISTORY_FILE, rows);
    await stream.finish(0);
    return target.runId;
  }),
  streamCase("online: sender 100k history records", "OnlineSender (records → rows → file_stream)", async (target) => {
    const sender = new OnlineSender({ http, mode: "sync", defaultEntity: target.entity, defaultProject: target.project });
    void sender.write({ type: "run", run: { runId: `${target.runId}-s`, entity: target.entity, project: target.project } });
    for (const record of historyRecords) void sender.write(record);
    void sender.write({ type: "exit", exit: { exitCode: 0 } });
    await sender.close();
    return `${target.runId}-s`;
  }),
];
