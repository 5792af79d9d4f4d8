/** The client reading runs made by the real engine (`FlowSpec.run`), not hand-written fixtures. */
import { describe, expect, it, onTestFinished } from "vitest";
import { Flow, Run, Task } from "../../src/flow/client/client.js";
import { flowFrom, tempDatastore } from "./helpers.js";

const ids = (objects: Array<{ id: string }>): string[] => objects.map((o) => o.id);

describe("client on runs made by FlowSpec.run", () => {
  it("reads a foreach run: data, steps, tasks in order, indexes, parents and children, logs", async () => {
    const datastore = tempDatastore();
    const F = flowFrom(`export class F extends FlowSpec {
      alpha = Parameter("alpha", { default: 2 });
      @step start() { (this as any).items = [1, 2, 3]; (this as any)._hidden = true; console.log("starting"); this.next(this.square, { foreach: "items" }); }
      @step square() { (this as any).value = this.input * this.input * this.alpha; this.next(this.join); }
      @step join(inputs: any) { (this as any).total = [...inputs].reduce((s: number, i: any) => s + i.value, 0); this.next(this.end); }
      @step end() { (this as any).done = new Map([["total", (this as any).total]]); }
    }`);
    const handle = await F.run({}, { datastore });
    expect(handle.successful).toBe(true);

    const flow = new Flow("F", { datastore });
    const run = (await flow.latestSuccessfulRun())!;
    expect(run.id).toBe(handle.runId);
    expect(await run.successful()).toBe(true);
    expect(await run.finished()).toBe(true);
    expect(await run.parameters()).toEqual({ alpha: 2 });
    expect((await run.data())!.done).toEqual(new Map([["total", 28]]));
    expect(ids(await run.steps())).toEqual(["end", "join", "square", "start"]);

    const start = (await run.step("start").firstTask())!;
    // Parameters are artifacts of every task, as in Metaflow; `_` names are hidden.
    expect(Object.keys(await start.data())).toEqual(["alpha", "items"]);
    expect(await start.get("_hidden")).toBe(true);
    expect(await start.stdout()).toContain("starting");
    const squares = await run.step("square").tasks();
    expect(squares).toHaveLength(3);
    const byIndex = new Map<number | undefined, unknown>();
    for (const task of squares) byIndex.set(await task.index(), await task.get("value"));
    expect([...byIndex].sort()).toEqual([[0, 2], [1, 8], [2, 18]]);
    expect(ids(await start.childTasks()).sort()).toEqual(ids(squares).sort());
    const join = (await run.step("join").firstTask())!;
    expect(ids(await join.parentTasks()).sort()).toEqual(ids(squares).sort());
    expect(ids(await run.step("join").parentSteps())).toEqual(["square"]);
    expect(ids(await run.step("join").childSteps())).toEqual(["end"]);
  });

  it("reads a failed run: unsuccessful, the failing task's exception, nothing at the end", async () => {
    const datastore = tempDatastore();
    const F = flowFrom(`export class F extends FlowSpec {
      @step start() { (this as any).before = 1; this.next(this.boom); }
      @step boom() { if ((this as any).before === 1) throw new RangeError("bad input"); this.next(this.end); }
      @step end() {}
    }`);
    await F.run({}, { datastore }).catch(() => undefined);
    const run = (await new Flow("F", { datastore }).latestRun())!;
    expect(await run.successful()).toBe(false);
    expect(await run.data()).toBeUndefined();
    expect(await new Flow("F", { datastore }).latestSuccessfulRun()).toBeUndefined();
    // A failed task is saved (done) with its status artifacts, so the client can explain it.
    const boom = (await run.step("boom").firstTask())!;
    expect(await boom.finished()).toBe(false);
    expect(await boom.successful()).toBe(false);
    expect(await boom.exception()).toMatchObject({ type: "RangeError", message: expect.stringContaining("bad input") });
    expect(await new Task(`F/${run.id}/start/${(await run.step("start").firstTask())!.id}`, { datastore }).get("before")).toBe(1);
  });

  it("lists several runs newest first", async () => {
    const datastore = tempDatastore();
    const F = flowFrom(`export class F extends FlowSpec {
      n = Parameter("n", { default: 0 });
      @step start() { this.next(this.end); }
      @step end() { (this as any).m = this.n; }
    }`);
    const first = await F.run({ n: 1 }, { datastore });
    const second = await F.run({ n: 2 }, { datastore });
    const runs = await new Flow("F", { datastore }).runs();
    expect(ids(runs)).toEqual([second.runId, first.runId]);
    expect((await new Run(`F/${first.runId}`, { datastore }).data())!.m).toBe(1);
  });
});

describe("real flows storing tables, folders and models", () => {
  it("passes an arquero table, a folder and a random forest between steps, and the client reads them", async () => {
    const { mkdtemp, rm, writeFile } = await import("node:fs/promises");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const folder = await mkdtemp(join(tmpdir(), "wbflow-real-folder-"));
    await writeFile(join(folder, "notes.txt"), "hello from a folder");
    process.env.WBFLOW_FILES_DIR = join(folder, "..", `${folder.split("/").pop()}-unpacked`);
    onTestFinished(async () => {
      delete process.env.WBFLOW_FILES_DIR;
      await rm(folder, { recursive: true, force: true });
      await rm(`${folder}-unpacked`, { recursive: true, force: true });
    });
    const datastore = tempDatastore();
    const F = flowFrom(`
      import * as aq from "arquero";
      import { FilePath } from "wbflow";
      import { RandomForestClassifier } from "ml-random-forest";
      import { readFileSync } from "node:fs";
      import { join } from "node:path";
      export class F extends FlowSpec {
        folder = Parameter("folder", { default: "" });
        @step start() {
          (this as any).rows = aq.table({ x: [0, 1, 2, 3, 0, 1, 2, 3], y: [0, 0, 1, 1, 0, 0, 1, 1] });
          (this as any).notes = new FilePath(this.folder);
          this.next(this.train);
        }
        @step train() {
          const rows = (this as any).rows;
          const forest = new RandomForestClassifier({ seed: 1, nEstimators: 4, maxFeatures: 1, noOOB: true });
          forest.train(rows.array("x").map((x: number) => [x]), Array.from(rows.array("y")));
          (this as any).model = forest;
          (this as any).noteText = readFileSync(join((this as any).notes.path, "notes.txt"), "utf8");
          this.next(this.end);
        }
        @step end() { (this as any).predictions = (this as any).model.predict([[0], [3]]); }
      }`);
    const handle = await F.run({ folder }, { datastore });
    expect(handle.successful).toBe(true);

    const run = (await new Flow("F", { datastore }).latestRun())!;
    const data = (await run.data())!;
    expect(data.predictions).toEqual([0, 1]);
    expect(data.noteText).toBe("hello from a folder");
    expect((data.rows as { numRows(): number }).numRows()).toBe(8);
    const train = (await run.step("train").firstTask())!;
    const model = await train.get<{ predict(rows: number[][]): number[] }>("model");
    expect(model.constructor.name).toBe("RandomForestClassifier");
    expect(model.predict([[0], [3]])).toEqual([0, 1]);
    expect((await train.artifact("model")).pathspec).toBe(`F/${run.id}/train/${train.id}/model`);
    expect((await (await train.artifact("notes")).record()).codec).toBe("file");
    expect((await (await train.artifact("model")).record()).type).toBe("model ml-random-forest/RandomForestClassifier");
  });
});
