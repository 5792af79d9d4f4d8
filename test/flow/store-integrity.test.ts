/**
 * Issue 13, item 5: damaged stored content is an error naming the task, the artifact and the file,
 * never a value. Blobs are checked against their sha256 on read, inline values and whole done files
 * against theirs, and `resume` refuses to hand a damaged value on.
 */
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { FilePath } from "../../src/codecs/index.js";
import { Flow } from "../../src/flow/client/client.js";
import { Datastore, DatastoreCorruptError } from "../../src/flow/datastore/datastore.js";
import { flowFrom, tempDatastore } from "./helpers.js";

const source = `
export class F extends FlowSpec {
  @step start() {
    this.weights = new Float64Array(4096).map((_, i) => i);
    this.label = "small";
    this.next(this.end);
  }
  @step end() { this.total = this.weights.reduce((a, b) => a + b, 0); }
}`;

/** Every blob file of the flow (named by its sha256). */
function blobFiles(datastore: Datastore, flowName = "F"): string[] {
  const dataDir = path.join(datastore.root, flowName, "data");
  return readdirSync(dataDir, { recursive: true, encoding: "utf8" })
    .filter((name) => /^[0-9a-f]{64}$/.test(path.basename(name)))
    .map((name) => path.join(dataDir, name));
}

function flipByte(file: string, offset: number): void {
  const bytes = readFileSync(file);
  bytes[offset % bytes.length]! ^= 0x04;
  writeFileSync(file, bytes);
}

function doneFile(datastore: Datastore, runId: string, step: string): string {
  const dir = path.join(datastore.root, "F", runId, step);
  const task = readdirSync(dir)[0]!;
  return path.join(dir, task, "0.done");
}

describe("content is checked on read", () => {
  test("a flipped byte in a blob is an error naming the artifact, task and file, not a wrong element", async () => {
    const datastore = tempDatastore();
    const run = await flowFrom(source).run({}, { datastore });
    const [blob] = blobFiles(datastore).filter((file) => readFileSync(file).byteLength > 30_000);
    flipByte(blob!, 20_000);
    // A fresh store object, as in another process (this one remembers the bytes it read, checked).
    const reader = new Datastore({ root: datastore.root });
    const task = (await new Flow("F", { datastore: reader }).run(run.runId).step("start").firstTask())!;
    const error = await task.get("weights").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DatastoreCorruptError);
    expect((error as Error).message).toMatch(
      new RegExp(`Artifact "weights" written by task F/${run.runId}/start/1 is damaged: the bytes stored in .*${path.basename(blob!)}`),
    );
    // The damaged blob was moved aside: a later read says it is missing and what to do.
    await expect(task.get("weights")).rejects.toThrow(/missing .*moved to \.damaged.*resume\(\{ step: "start" \}\)/);
  });

  test("an edited inline value in a done file is an error naming the file, not the edited value", async () => {
    const datastore = tempDatastore();
    const run = await flowFrom(source).run({}, { datastore });
    const file = doneFile(datastore, run.runId, "start");
    const text = readFileSync(file, "utf8");
    const inline = /"label":\{[^}]*"inline":"([^"]+)"/.exec(text)![1]!;
    // Change one character of the encoded value (keeps valid base64 and valid JSON).
    const edited = inline.replace(/[A-Za-z]/, (c) => (c === "A" ? "B" : "A"));
    writeFileSync(file, text.replace(inline, edited));
    const task = (await new Flow("F", { datastore }).run(run.runId).step("start").firstTask())!;
    await expect(task.get("label")).rejects.toThrow(DatastoreCorruptError);
    await expect(task.get("label")).rejects.toThrow(new RegExp(`F/${run.runId}/start/1 attempt 0 cannot be read: .*${path.basename(path.dirname(file))}/0.done`));
  });

  test("resume refuses to clone a damaged value, and runs again from the named step", async () => {
    const datastore = tempDatastore();
    const flow = flowFrom(source);
    const first = await flow.run({}, { datastore });
    const [blob] = blobFiles(datastore).filter((file) => readFileSync(file).byteLength > 30_000);
    flipByte(blob!, 100);
    // Resuming at `end` would clone `start` (whose weights are damaged) onward.
    const resumed = flow.resume({ datastore, origin: first.runId, step: "end" });
    await expect(resumed).rejects.toThrow(/Artifact "weights" written by task F\/\d+\/start\/1 is damaged.*resume\(\{ step: "start" \}\)/s);
    const again = await flow.resume({ datastore, origin: first.runId, step: "start" });
    expect((await again.data()).total).toBe((4095 * 4096) / 2);
  });

  test("a file artifact (streamed on read) with a flipped byte is an error", async () => {
    const datastore = tempDatastore();
    const file = path.join(datastore.root, "input.txt");
    await writeFile(file, "x".repeat(100_000));
    const stored = await datastore.putValue("G", new FilePath(file));
    const record = { ...stored, name: "doc", producedBy: "G/1/start/1" };
    const [blob] = blobFiles(datastore, "G");
    flipByte(blob!, 5_000);
    process.env.WBFLOW_FILES_DIR = path.join(datastore.root, "materialized");
    await expect(datastore.getValue("G", record)).rejects.toThrow(/Artifact "doc" written by task G\/1\/start\/1 is damaged/);
  });
});
