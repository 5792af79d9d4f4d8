/**
 * Issue 13, item 9: a foreach split reads only its own element (through the list's element index),
 * so an n-way foreach decodes the list O(1) times in all, not once per split (which made 100k-way
 * foreach lists quadratic). Wall-clock scaling is measured in bench/cases/foreach-scale.bench.ts.
 */
import { readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { Datastore, type ArtifactRecord } from "../../src/flow/datastore/datastore.js";
import { flowFrom, tempDatastore } from "./helpers.js";

/** A datastore that counts how often each stored value is decoded, by artifact name. */
class CountingDatastore extends Datastore {
  readonly decodes = new Map<string, number>();
  override async getValue(flowName: string, record: ArtifactRecord): Promise<unknown> {
    this.decodes.set(record.name, (this.decodes.get(record.name) ?? 0) + 1);
    return super.getValue(flowName, record);
  }
}

const wideFlow = (splits: number) =>
  flowFrom(`
export class F extends FlowSpec {
  @step start() {
    this.items = Array.from({ length: ${splits} }, (_, i) => ({ id: i, tags: ["t" + i], at: new Date(i) }));
    this.next(this.body, { foreach: "items" });
  }
  @step body() {
    const item = this.input as any;
    this.seen = { id: item.id, tag: item.tags[0], at: item.at.getTime(), index: this.index, stack: this.foreachStack() };
    this.next(this.join);
  }
  @step join(inputs: any) {
    this.seen = inputs.map((input: any) => input.seen);
    this.next(this.end);
  }
  @step end() {}
}`);

function elementIndexFiles(root: string): string[] {
  return readdirSync(root, { recursive: true, encoding: "utf8" }).filter((name) => name.endsWith(".elements")).map((name) => path.join(root, name));
}

describe("foreach element index", () => {
  test("splits read their own element: the list is decoded once, not once per split", async () => {
    const datastore = new CountingDatastore({ root: tempDatastore().root });
    const splits = 60;
    const run = await wideFlow(splits).run({}, { datastore });
    const seen = (await run.data()).seen as Array<Record<string, unknown>>;
    expect(seen).toHaveLength(splits);
    seen.forEach((entry, i) => {
      expect(entry).toMatchObject({ id: i, tag: `t${i}`, at: i, index: i });
      expect(entry.stack).toEqual([{ index: i, numSplits: splits, value: { id: i, tags: [`t${i}`], at: new Date(i) } }]);
    });
    // Before: every split decoded the whole list (60 decodes).
    expect(datastore.decodes.get("items") ?? 0).toBeLessThanOrEqual(1);
  });

  test("a damaged element index is rebuilt from the list, never read as a wrong element", async () => {
    const datastore = tempDatastore();
    const flow = wideFlow(40);
    await flow.run({}, { datastore });
    const [index] = elementIndexFiles(datastore.root);
    expect(index).toBeDefined();
    const bytes = readFileSync(index!);
    for (const offset of [10, 20, 64 + 32 * 7 + 3, 64 + 32 * 7 + 20, bytes.length - 5]) {
      const damaged = Buffer.from(bytes);
      damaged[offset]! ^= 0x41;
      writeFileSync(index!, damaged);
      const seen = (await (await flow.resume({ datastore, step: "body" })).data()).seen as Array<{ id: number }>;
      expect(seen.map((s) => s.id)).toEqual(Array.from({ length: 40 }, (_, i) => i));
    }
  });

  test("nested foreach and lists stored inline or by other codecs still give each split its element", async () => {
    const flow = flowFrom(`
export class F extends FlowSpec {
  @step start() { this.outer = new Set(["a", "b"]); this.next(this.mid, { foreach: "outer" }); }
  @step mid() { this.inner = Array.from({ length: 90 }, (_, i) => (this.input as string) + i + ".".repeat(20)); this.next(this.leaf, { foreach: "inner" }); }
  @step leaf() { this.pair = this.foreachStack().map((f) => f.value).join("/") + "=" + this.input; this.next(this.innerJoin); }
  @step innerJoin(inputs: any) { this.pairs = inputs.map((i: any) => i.pair); this.next(this.outerJoin); }
  @step outerJoin(inputs: any) { this.pairs = inputs.flatMap((i: any) => i.pairs); this.next(this.end); }
  @step end() {}
}`);
    const run = await flow.run({}, { datastore: tempDatastore() });
    const pairs = (await run.data()).pairs as string[];
    const dots = ".".repeat(20);
    expect(pairs).toHaveLength(180);
    expect(pairs[0]).toBe(`a/a0${dots}=a0${dots}`);
    expect(pairs[179]).toBe(`b/b89${dots}=b89${dots}`);
  });

  test("garbage collection keeps an element index with its list and removes it with it", async () => {
    const datastore = tempDatastore();
    const run = await wideFlow(30).run({}, { datastore });
    const [index] = elementIndexFiles(datastore.root);
    const old = new Date(Date.now() - 2 * 3600_000);
    utimesSync(index!, old, old);
    await datastore.collectGarbage("F", { graceMs: 1000 });
    expect(statSync(index!).isFile()).toBe(true);
    await datastore.deleteRun("F", run.runId);
    await datastore.collectGarbage("F", { graceMs: 1000 });
    expect(elementIndexFiles(datastore.root)).toEqual([]);
  });
});
