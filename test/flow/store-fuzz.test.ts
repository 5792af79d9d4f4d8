/**
 * Issue 13, "done when": flipping bytes in datastore blobs and done files (seeded, bounded) gives, on
 * every read, a clear DatastoreCorruptError naming a file, or the right value, never a wrong value.
 * (Registry files and .wandb logs are fuzzed in the W&B tests.)
 */
import { readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { beforeAll, expect, test } from "vitest";
import { Datastore, DatastoreCorruptError, type StoredTask, type TaskKey } from "../../src/flow/datastore/datastore.js";
import { flowFrom, tempDatastore } from "./helpers.js";

const source = `
export class F extends FlowSpec {
  @step start() {
    this.weights = new Float64Array(3000).map((_, i) => i * 0.5);
    this.rows = Array.from({ length: 60 }, (_, i) => ({ id: i, name: "row-" + i }));
    this.label = "small";
    this.config = { lr: 0.1, layers: [4, 8] };
    this.next(this.body, { foreach: "rows" });
  }
  @step body() { this.score = (this.input as any).id * 2; this.next(this.join); }
  @step join(inputs: any) { this.total = inputs.reduce((s: number, i: any) => s + i.score, 0); this.next(this.end); }
  @step end() { this.summary = { total: this.total, at: new Date(5) }; }
}`;

interface Expected {
  key: TaskKey;
  task: StoredTask;
  values: Map<string, unknown>;
}

let root = "";
let files: string[] = [];
const snapshot = new Map<string, Buffer>();
const expected: Expected[] = [];

/** Every task of the run with its index and decoded user values, read from the undamaged store. */
async function readAll(datastore: Datastore, runId: string): Promise<Expected[]> {
  const all: Expected[] = [];
  for (const stepName of await datastore.listSteps("F", runId)) {
    for (const taskId of (await datastore.listTasks("F", runId, stepName)).slice(0, 3)) {
      const key = { flowName: "F", runId, stepName, taskId };
      const task = await datastore.readTask(key);
      const values = new Map<string, unknown>();
      for (const [name, record] of Object.entries(task.artifacts)) values.set(name, await datastore.getValue("F", record));
      all.push({ key, task, values });
    }
  }
  return all;
}

beforeAll(async () => {
  const datastore = tempDatastore();
  root = datastore.root;
  const run = await flowFrom(source).run({}, { datastore });
  expected.push(...(await readAll(new Datastore({ root }), run.runId)));
  files = readdirSync(path.join(root, "F"), { recursive: true, encoding: "utf8" })
    .map((name) => path.join(root, "F", name))
    .filter((file) => /(^[0-9a-f]{64}|\.done)$/.test(path.basename(file)))
    .filter((file) => expected.some((e) => file.includes(`/${e.key.stepName}/${e.key.taskId}/`)) || file.includes("/data/"))
    .sort(); // readdir's order is the file system's own (on tmpfs, the order the concurrent tasks made them): the seed must pick the same files each time
  for (const file of files) snapshot.set(file, readFileSync(file));
});

function restore(): void {
  rmSync(path.join(root, "F", "data", ".damaged"), { recursive: true, force: true });
  for (const [file, bytes] of snapshot) {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, bytes);
  }
}

test("a flipped byte in a blob or done file is a clear error or the right value, never a wrong value", async () => {
  expect(files.some((f) => f.endsWith(".done")) && files.some((f) => f.includes("/data/"))).toBe(true);
  await fc.assert(
    fc.asyncProperty(
      fc.nat({ max: files.length - 1 }),
      fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
      fc.integer({ min: 1, max: 255 }),
      async (fileIndex, where, mask) => {
        const file = files[fileIndex]!;
        const bytes = Buffer.from(snapshot.get(file)!);
        bytes[Math.floor(where * bytes.length)]! ^= mask;
        writeFileSync(file, bytes);
        try {
          const reader = new Datastore({ root }); // no bytes remembered from earlier reads
          for (const { key, task, values } of expected) {
            let stored: StoredTask;
            try {
              stored = await reader.readTask(key);
            } catch (error) {
              expectClear(error);
              continue;
            }
            expect(stored.artifacts).toEqual(task.artifacts);
            expect(stored.metadata).toEqual(task.metadata);
            for (const [name, record] of Object.entries(stored.artifacts)) {
              try {
                expect(await reader.getValue("F", record)).toEqual(values.get(name));
              } catch (error) {
                expectClear(error);
              }
            }
          }
        } finally {
          restore();
        }
      },
    ),
    { seed: 1313, numRuns: 40 },
  );
});

function expectClear(error: unknown): void {
  expect(error).toBeInstanceOf(DatastoreCorruptError);
  expect((error as Error).message).toMatch(/\/F\/|F\/\d+\//);
}
