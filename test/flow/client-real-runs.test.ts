/** The client reading runs made by the real engine (`FlowSpec.run`), not hand-written fixtures. */
import { describe, expect, it } from "vitest";
import { Flow, Run, Task } from "../../src/flow/client.js";
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
