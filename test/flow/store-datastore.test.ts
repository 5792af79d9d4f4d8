import { createHash } from "node:crypto";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as aq from "arquero";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FilePath, UnserializableValueError } from "../../src/codecs/index.js";
import {
  Datastore,
  DatastoreCorruptError,
  DatastoreNotFoundError,
  INLINE_LIMIT_BYTES,
  InvalidStoreNameError,
  TaskNotFinishedError,
  UnknownCodecError,
  type ArtifactRecord,
  type TaskKey,
} from "../../src/flow/datastore/datastore.js";

let root: string;
let clock: number;
let store: Datastore;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "wbflow-store-"));
  clock = 1_700_000_000_000;
  store = new Datastore({ root, now: () => clock++ });
  process.env.WBFLOW_FILES_DIR = `${root}-files`;
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
  await rm(`${root}-files`, { recursive: true, force: true });
  delete process.env.WBFLOW_FILES_DIR;
});

const task: TaskKey = { flowName: "DemoFlow", runId: "1", stepName: "start", taskId: "1" };

async function record(flowName: string, name: string, value: unknown): Promise<ArtifactRecord> {
  return { name, producedBy: `${flowName}/1/start/1`, ...(await store.putValue(flowName, value)) };
}

/** A value too big to be kept inline, so it is stored as a blob. */
const big = (label: string): string => label.repeat(Math.ceil((INLINE_LIMIT_BYTES + 1) / label.length));

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name).slice(dir.length + 1)).sort();
}

describe("Datastore blobs", () => {
  it("stores equal values once per flow, named by the sha256 of their bytes", async () => {
    const a = await store.putValue("DemoFlow", { x: big("abc") });
    const b = await store.putValue("DemoFlow", { x: big("abc") });
    const c = await store.putValue("OtherFlow", { x: big("abc") });
    expect(a).toEqual(b);
    expect(a.inline).toBeUndefined();
    expect(a).toMatchObject({ codec: "v8", type: "Object" });
    expect(a.sha).toMatch(/^[0-9a-f]{64}$/);
    expect(c.sha).toBe(a.sha);
    const blobs = await filesUnder(join(root, "DemoFlow", "data"));
    expect(blobs).toEqual([`${a.sha.slice(0, 2)}/${a.sha}`]);
    expect(await filesUnder(join(root, "OtherFlow", "data"))).toHaveLength(1);
  });

  it("keeps small values inline in their record, still named by the sha256 of their bytes", async () => {
    const small = await store.putValue("DemoFlow", { x: [1, 2, 3] });
    const bytes = Buffer.from(small.inline!, "base64");
    expect(small.size).toBe(bytes.byteLength);
    expect(small.sha).toBe(createHash("sha256").update(bytes).digest("hex"));
    expect(await store.putValue("DemoFlow", { x: [1, 2, 3] })).toEqual(small);
    expect(await readdir(root)).toEqual([]); // no blob file, no folder
    expect(await store.getValue("DemoFlow", { name: "small", producedBy: "DemoFlow/1/start/1", ...small })).toEqual({ x: [1, 2, 3] });
    // The limit is on encoded bytes: one byte over it is a blob.
    const atLimit = await store.putValue("DemoFlow", new Uint8Array(INLINE_LIMIT_BYTES - 16));
    expect(atLimit.size).toBeLessThanOrEqual(INLINE_LIMIT_BYTES);
    expect(atLimit.inline).toBeDefined();
    const overLimit = await store.putValue("DemoFlow", new Uint8Array(INLINE_LIMIT_BYTES));
    expect(overLimit.size).toBeGreaterThan(INLINE_LIMIT_BYTES);
    expect(overLimit.inline).toBeUndefined();
    expect(await filesUnder(join(root, "DemoFlow", "data"))).toEqual([`${overLimit.sha.slice(0, 2)}/${overLimit.sha}`]);
  });

  it("gives every read its own value, even when the bytes come from memory", async () => {
    // Blobs small enough to be remembered after their first read; arquero's decoder keeps views of the bytes.
    const table = aq.table({ x: Float64Array.from({ length: 300 }, (_, i) => i) });
    const values = new Float64Array(1000).map((_, i) => i);
    for (const value of [table, values]) {
      const stored = await record("DemoFlow", "value", value);
      expect(stored.inline).toBeUndefined();
      const column = (decoded: unknown): Float64Array =>
        decoded instanceof Float64Array
          ? decoded
          : ((decoded as aq.ColumnTable).column("x") as unknown as { data: Array<{ values: Float64Array }> }).data[0]!.values;
      for (let read = 0; read < 3; read++) {
        const decoded = await store.getValue("DemoFlow", stored);
        expect(Array.from(column(decoded).slice(0, 3))).toEqual([0, 1, 2]);
        column(decoded).fill(-1); // changing what one read returned leaves later reads intact
      }
    }
  });

  it("round-trips plain values, tables and folders through getValue", async () => {
    const folder = await mkdtemp(join(root, "folder-"));
    await writeFile(join(folder, "weights.txt"), "0.1 0.2");
    const values = {
      map: new Map([["k", new Set([1n])]]),
      table: aq.table({ x: [1, 2], y: ["a", "b"] }),
    };
    const mapRecord = await record("DemoFlow", "map", values.map);
    expect(await store.getValue("DemoFlow", mapRecord)).toEqual(values.map);
    const tableRecord = await record("DemoFlow", "table", values.table);
    expect(tableRecord.codec).toBe("arquero");
    expect(((await store.getValue("DemoFlow", tableRecord)) as aq.ColumnTable).objects()).toEqual(values.table.objects());
    const folderRecord = await record("DemoFlow", "folder", new FilePath(folder));
    expect(folderRecord.codec).toBe("file");
    const back = (await store.getValue("DemoFlow", folderRecord)) as FilePath;
    expect(await readFile(join(back.path, "weights.txt"), "utf8")).toBe("0.1 0.2");
  });

  it("refuses unstorable values and writes nothing", async () => {
    class Model {}
    await expect(store.putValue("DemoFlow", { model: new Model() })).rejects.toBeInstanceOf(UnserializableValueError);
    expect(await readdir(root)).toEqual([]);
  });

  it("reports a missing blob and an unregistered codec clearly", async () => {
    const stored = await record("DemoFlow", "x", big("42"));
    await rm(join(root, "DemoFlow", "data", stored.sha.slice(0, 2), stored.sha));
    await expect(store.getValue("DemoFlow", stored)).rejects.toThrow(DatastoreCorruptError);
    await expect(store.getValue("DemoFlow", stored)).rejects.toThrow(/"x" \(DemoFlow\/1\/start\/1\).*missing/);
    await expect(store.getValue("DemoFlow", { ...stored, codec: "my-model" })).rejects.toThrow(UnknownCodecError);
    await expect(store.getValue("DemoFlow", { ...stored, codec: "my-model" })).rejects.toThrow(/codec "my-model".*registerCodec/);
  });

  it("leaves no temporary files behind", async () => {
    await store.putValue("DemoFlow", "a");
    await store.putValue("DemoFlow", new FilePath(await mkdtemp(join(root, "f-"))));
    const leftovers = (await filesUnder(join(root, "DemoFlow"))).filter((f) => f.includes(".tmp"));
    expect(leftovers).toEqual([]);
  });
});

describe("Datastore tasks and attempts", () => {
  async function finish(attempt: number, value: unknown): Promise<void> {
    await store.startAttempt(task, attempt);
    await store.finishAttempt(task, attempt, {
      artifacts: { value: await record("DemoFlow", "value", value) },
      metadata: { attempt, retryCount: attempt },
    });
  }

  it("writes one done file per attempt (plus a start file per retry), and reads it back", async () => {
    await store.createRun({ flowName: "DemoFlow", runId: "1", createdAt: 5, userName: "ada", tags: [], systemTags: ["user:ada"] });
    await finish(0, "hello");
    expect(await readdir(join(root, "DemoFlow", "1", "start", "1"))).toEqual(["0.done"]);
    const stored = await store.readTask(task);
    expect(stored).toMatchObject({ key: task, attempt: 0, startedAt: 1_700_000_000_000, finishedAt: 1_700_000_000_001, metadata: { attempt: 0 } });
    expect(await store.getValue("DemoFlow", stored.artifacts.value!)).toBe("hello");
  });

  it("shows only the latest started attempt, and only once it is done", async () => {
    await finish(0, "first");
    await store.startAttempt(task, 1);
    const error = await store.readTask(task).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TaskNotFinishedError);
    expect((error as Error).message).toMatch(/DemoFlow\/1\/start\/1 attempt 1 has no finished data/);
    expect((await store.readTask(task, 0)).attempt).toBe(0);
    await store.finishAttempt(task, 1, { artifacts: { value: await record("DemoFlow", "value", "second") }, metadata: {} });
    expect((await store.readTask(task)).attempt).toBe(1);
    expect(await store.listAttempts(task)).toEqual([0, 1]);
    expect((await readdir(join(root, "DemoFlow", "1", "start", "1"))).sort()).toEqual(["0.done", "1.attempt.json", "1.done"]);
  });

  it("does not treat a layout-1 index without a done marker as finished", async () => {
    await store.startAttempt(task, 0);
    await writeFile(join(root, "DemoFlow", "1", "start", "1", "0.data.json"), JSON.stringify({ artifacts: {}, metadata: {} }));
    await expect(store.readTask(task)).rejects.toBeInstanceOf(TaskNotFinishedError);
  });

  it("reads stores of layout 1 (index in <n>.data.json, its sha256 in <n>.done) and detects an edited index", async () => {
    const value = await record("DemoFlow", "value", big("old"));
    await store.startAttempt(task, 0);
    const directory = join(root, "DemoFlow", "1", "start", "1");
    const index = JSON.stringify({ version: 1, attempt: 0, startedAt: 1, finishedAt: 2, artifacts: { value }, metadata: { attempt: 0 } });
    await writeFile(join(directory, "0.data.json"), index);
    await writeFile(join(directory, "0.done"), JSON.stringify({ indexSha256: createHash("sha256").update(index).digest("hex") }));
    const stored = await store.readTask(task);
    expect(stored).toMatchObject({ attempt: 0, startedAt: 1, finishedAt: 2, metadata: { attempt: 0 } });
    expect(await store.getValue("DemoFlow", stored.artifacts.value!)).toBe(big("old"));
    await writeFile(join(directory, "0.data.json"), index.replace('"attempt":0', '"attempt":7'));
    await expect(store.readTask(task)).rejects.toThrow(DatastoreCorruptError);
    await expect(store.readTask(task)).rejects.toThrow(/start\/1 attempt 0 .*does not match its done marker/);
  });

  it("reports a damaged done file clearly", async () => {
    await finish(0, "x");
    const donePath = join(root, "DemoFlow", "1", "start", "1", "0.done");
    await writeFile(donePath, (await readFile(donePath, "utf8")).slice(0, 20));
    await expect(store.readTask(task)).rejects.toThrow(DatastoreCorruptError);
    await expect(store.readTask(task)).rejects.toThrow(/attempt 0 cannot be read: its done file is not valid JSON/);
  });

  it("refuses finishAttempt before startAttempt, and unknown attempts", async () => {
    await expect(store.finishAttempt(task, 0, { artifacts: {}, metadata: {} })).rejects.toThrow(/before startAttempt/);
    await finish(0, 1);
    await expect(store.readTask(task, 3)).rejects.toThrow(/attempt 3.*attempts started: 0/);
    await expect(store.startAttempt(task, -1)).rejects.toThrow(RangeError);
    await expect(store.finishAttempt(task, 1, { artifacts: {}, metadata: {} })).rejects.toThrow(/attempt 1 .*before startAttempt/);
  });

  it("finishes an attempt started by another Datastore object (another process)", async () => {
    const before = Date.now();
    await store.startAttempt(task, 0);
    const other = new Datastore({ root });
    await other.finishAttempt(task, 0, { artifacts: {}, metadata: {} });
    const started = (await other.readTask(task)).startedAt;
    expect(started).toBeGreaterThanOrEqual(before - 1000); // attempt 0 started when its task folder was made
    expect(started).toBeLessThanOrEqual(Date.now() + 1); // the folder's time is rounded to the nearest ms: it may round up
    await store.startAttempt(task, 1);
    await other.finishAttempt(task, 1, { artifacts: {}, metadata: {} });
    expect((await other.readTask(task)).startedAt).toBe(clock - 1); // from 1.attempt.json
  });

  it("appends logs, readable while the attempt runs", async () => {
    await store.startAttempt(task, 0);
    await store.appendLog(task, 0, "stdout", "line 1\n");
    await store.appendLog(task, 0, "stdout", "line 2\n");
    await store.appendLog(task, 0, "stderr", "oops\n");
    expect(await store.readLog(task, 0, "stdout")).toBe("line 1\nline 2\n");
    expect(await store.readLog(task, 0, "stderr")).toBe("oops\n");
    expect(await store.readLog(task, 1, "stdout")).toBe("");
  });
});

describe("Datastore listing", () => {
  it("lists flows, runs newest first, steps and tasks in numeric order", async () => {
    for (const [runId, createdAt] of [["100", 1], ["200", 3], ["150", 2]] as const) {
      await store.createRun({ flowName: "DemoFlow", runId, createdAt, userName: "u", tags: [], systemTags: [] });
    }
    await store.createRun({ flowName: "Other", runId: "1", createdAt: 1, userName: "u", tags: [], systemTags: [] });
    await store.setLatestRun("DemoFlow", "200");
    for (const taskId of ["2", "10", "1"]) await store.startAttempt({ flowName: "DemoFlow", runId: "200", stepName: "train", taskId }, 0);
    await store.startAttempt({ flowName: "DemoFlow", runId: "200", stepName: "_parameters", taskId: "0" }, 0);
    await store.putValue("DemoFlow", 1); // creates data/, which is not a run

    expect(await store.listFlows()).toEqual(["DemoFlow", "Other"]);
    expect((await store.listRuns("DemoFlow")).map((r) => r.runId)).toEqual(["200", "150", "100"]);
    expect(await store.latestRunId("DemoFlow")).toBe("200");
    expect(await store.listSteps("DemoFlow", "200")).toEqual(["_parameters", "train"]);
    expect(await store.listTasks("DemoFlow", "200", "train")).toEqual(["1", "2", "10"]);
    expect((await store.readRun("DemoFlow", "150")).createdAt).toBe(2);
  });

  it("says what is missing and where", async () => {
    await expect(store.listRuns("Nope")).rejects.toThrow(DatastoreNotFoundError);
    await expect(store.listRuns("Nope")).rejects.toThrow(`Flow Nope is not in the datastore at ${root}`);
    await expect(store.readRun("Nope", "1")).rejects.toThrow(/Run Nope\/1 is not in the datastore/);
    expect(await new Datastore({ root: join(root, "absent") }).listFlows()).toEqual([]);
  });

  it("rejects names that cannot be folder names", async () => {
    await expect(store.putValue("../escape", 1)).rejects.toBeInstanceOf(InvalidStoreNameError);
    await expect(store.startAttempt({ ...task, stepName: "a/b" }, 0)).rejects.toThrow(/Invalid step name "a\/b"/);
    await expect(store.createRun({ flowName: "F", runId: "data", createdAt: 0, userName: "u", tags: [], systemTags: [] })).rejects.toThrow(InvalidStoreNameError);
  });

  it("takes its root from WBFLOW_DATASTORE, else ./.wbflow", () => {
    const saved = process.env.WBFLOW_DATASTORE;
    try {
      process.env.WBFLOW_DATASTORE = root;
      expect(new Datastore().root).toBe(root);
      delete process.env.WBFLOW_DATASTORE;
      expect(new Datastore().root).toBe(join(process.cwd(), ".wbflow"));
    } finally {
      if (saved === undefined) delete process.env.WBFLOW_DATASTORE;
      else process.env.WBFLOW_DATASTORE = saved;
    }
  });
});
