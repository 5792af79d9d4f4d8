import { describe, expect, test } from "vitest";
import { InvalidNextError, ForeachError } from "../../src/flow/errors.js";
import { COMPILE_MODES } from "./compile-flow.js";
import { flowFrom, tempDatastore } from "./helpers.js";

describe.each(COMPILE_MODES)("transitions ($label)", (mode) => {
  test("linear steps inherit every artifact by reference", async () => {
    const F = flowFrom(
      `export class F extends FlowSpec {
        a!: number; b!: number;
        @step start() { this.a = 1; this.next(this.middle); }
        @step middle() { this.b = this.a + 1; this.next(this.end); }
        @step end() {}
      }`,
      "F",
      mode,
    );
    const run = await F.run({}, { datastore: tempDatastore() });
    expect(await run.data()).toEqual({ a: 1, b: 2 });
    const [start] = run.tasksOf("start");
    const [end] = run.tasksOf("end");
    expect(end.artifacts.a).toEqual(start.artifacts.a); // same record, producer kept
    expect(end.artifacts.a.producedBy).toBe(start.pathspec);
  });

  test("static split: branches run, join sees inputs in declaration order and starts empty", async () => {
    const F = flowFrom(
      `export class F extends FlowSpec {
        shared = "constant";
        @step start() { (this as any).x = 0; this.next(this.b, this.a); }
        @step a() { (this as any).x = "a"; this.next(this.join); }
        @step b() { (this as any).x = "b"; this.next(this.join); }
        @step join(inputs: any) {
          (this as any).order = inputs.map((i: any) => i.x);
          (this as any).byName = [inputs.a.x, inputs.b.x];
          (this as any).hasX = "x" in this;
          (this as any).constantSeen = this.shared;
          this.next(this.end);
        }
        @step end() {}
      }`,
      "F",
      mode,
    );
    const data = await (await F.run({}, { datastore: tempDatastore() })).data();
    expect(data).toEqual({ order: ["b", "a"], byName: ["a", "b"], hasX: false, constantSeen: "constant", shared: "constant" });
  });

  test("foreach: one task per element, input/index, join in split order", async () => {
    const F = flowFrom(
      `export class F extends FlowSpec {
        @step start() { (this as any).items = ["x", "y", "z"]; this.next(this.each, { foreach: "items" }); }
        @step each() {
          (this as any).label = this.index + ":" + this.input;
          (this as any).stack = this.foreachStack();
          this.next(this.join);
        }
        @step join(inputs: any) { (this as any).labels = [...inputs].map((i) => i.label); (this as any).stack1 = inputs[1].stack; this.next(this.end); }
        @step end() {}
      }`,
      "F",
      mode,
    );
    const run = await F.run({}, { datastore: tempDatastore(), maxWorkers: 3 });
    const data = await run.data();
    expect(data.labels).toEqual(["0:x", "1:y", "2:z"]);
    expect(data.stack1).toEqual([{ index: 1, numSplits: 3, value: "y" }]);
    expect(run.tasksOf("each")).toHaveLength(3);
  });

  test("nested foreach: each level needs its own join; inner join keeps the outer index", async () => {
    const F = flowFrom(
      `export class F extends FlowSpec {
        @step start() { (this as any).outer = [1, 2]; this.next(this.o, { foreach: "outer" }); }
        @step o() { (this as any).inner = ["a", "b", "c"]; this.next(this.i, { foreach: "inner" }); }
        @step i() { (this as any).cell = this.foreachStack().map((f: any) => f.value).join(""); this.next(this.ij); }
        @step ij(inputs: any) { (this as any).row = inputs.map((x: any) => x.cell); (this as any).outerIndex = this.index; this.next(this.oj); }
        @step oj(inputs: any) { (this as any).grid = inputs.map((x: any) => x.row); (this as any).idx = inputs.map((x: any) => x.outerIndex); this.next(this.end); }
        @step end() {}
      }`,
      "F",
      mode,
    );
    const data = await (await F.run({}, { datastore: tempDatastore() })).data();
    expect(data.grid).toEqual([["1a", "1b", "1c"], ["2a", "2b", "2c"]]);
    expect(data.idx).toEqual([0, 1]);
  });

  test("switch picks one branch by strict string matching; branches re-converge", async () => {
    const source = `export class F extends FlowSpec {
        mode = Parameter("mode", { default: "hi" });
        @step start() { this.next({ hi: this.high, lo: this.low }, { condition: "mode" }); }
        @step high() { (this as any).path = "high"; this.next(this.after); }
        @step low() { (this as any).path = "low"; this.next(this.after); }
        @step after() { this.next(this.end); }
        @step end() {}
      }`;
    const F = flowFrom(source, "F", mode);
    const store = tempDatastore();
    const hi = await F.run({}, { datastore: store });
    expect((await hi.data()).path).toBe("high");
    expect(hi.tasksOf("low")).toHaveLength(0);
    const lo = await F.run({ mode: "lo" }, { datastore: store });
    expect((await lo.data()).path).toBe("low");
    const bad = F.run({ mode: "mid" }, { datastore: store });
    await expect(bad).rejects.toThrow(/this\.mode is "mid", which matches none of the cases \["hi", "lo"\]/);
  });

  test("a boolean condition matches 'true', never '1'", async () => {
    const F = flowFrom(
      `export class F extends FlowSpec {
        @step start() { (this as any).flag = true; this.next({ 1: this.one, true: this.yes }, { condition: "flag" }); }
        @step one() { (this as any).hit = "one"; this.next(this.end); }
        @step yes() { (this as any).hit = "yes"; this.next(this.end); }
        @step end() {}
      }`,
      "F",
      mode,
    );
    expect((await (await F.run({}, { datastore: tempDatastore() })).data()).hit).toBe("yes");
  });

  test("a loop (switch case pointing at its own step) runs new tasks with an iteration stack", async () => {
    const F = flowFrom(
      `export class F extends FlowSpec {
        @step start() { (this as any).count = 0; this.next(this.loop); }
        @step loop() {
          (this as any).count += 1;
          (this as any).more = (this as any).count < 3 ? "again" : "done";
          this.next({ again: this.loop, done: this.end }, { condition: "more" });
        }
        @step end() {}
      }`,
      "F",
      mode,
    );
    const run = await F.run({}, { datastore: tempDatastore() });
    expect((await run.data()).count).toBe(3);
    const loops = run.tasksOf("loop");
    expect(loops.map((t: any) => t.pathspecIndex)).toEqual(["loop[][0]", "loop[][1]", "loop[][2]"]);
    expect(new Set(loops.map((t: any) => t.taskId)).size).toBe(3);
  });

  test("a single-step flow needs no transition", async () => {
    const F = flowFrom(`export class F extends FlowSpec { @step only() { (this as any).v = 42; } }`, "F", mode);
    expect((await (await F.run({}, { datastore: tempDatastore() })).data()).v).toBe(42);
  });

  test("@step({ start, end }) names custom terminal steps", async () => {
    const F = flowFrom(
      `export class F extends FlowSpec {
        @step({ start: true }) begin() { (this as any).v = 1; this.next(this.finish); }
        @step({ end: true }) finish() { (this as any).w = 2; }
      }`,
      "F",
      mode,
    );
    expect(await (await F.run({}, { datastore: tempDatastore() })).data()).toEqual({ v: 1, w: 2 });
  });

  test("async steps are awaited", async () => {
    const F = flowFrom(
      `export class F extends FlowSpec {
        @step async start() { await new Promise((r) => setImmediate(r)); (this as any).v = "later"; this.next(this.end); }
        @step end() {}
      }`,
      "F",
      mode,
    );
    expect((await (await F.run({}, { datastore: tempDatastore() })).data()).v).toBe("later");
  });
});

describe("runtime transition errors", () => {
  const run = (body: string, options: Record<string, unknown> = {}) =>
    flowFrom(`export class F extends FlowSpec {\n${body}\n}`).run({}, { datastore: tempDatastore(), ...options });

  test("next called twice", async () => {
    const error = await run(`@step start() { if ((this as any).x === undefined) this.next(this.end); this.next(this.end); } @step end() {}`).catch(
      (e: any) => e,
    );
    expect(error.cause).toBeInstanceOf(InvalidNextError);
    expect(error.cause.message).toBe(
      "Invalid this.next(...) in step 'start': this.next(...) was called more than once. Call it exactly once, as the last statement.",
    );
  });

  test("the executed transition must match the graph read from the source", async () => {
    const error = await run(
      `@step start() { (this as any).next.call(this, this.end); this.next(this.a); } @step a() { this.next(this.end); } @step end() {}`,
    ).catch((e: any) => e);
    expect(error.message).toContain("failed in step 'start'");
    expect(error.cause.message).toBe(
      "Step 'start' called this.next(...) with end, but its last statement says a. The engine reads the graph from the source before running: " +
        "keep exactly one this.next(...), unconditionally, as the step's last statement.",
    );
  });

  test("foreach over an empty list", async () => {
    const error = await run(`@step start() { (this as any).xs = []; this.next(this.a, { foreach: "xs" }); }
      @step a() { this.next(this.j); } @step j(i: unknown) { this.next(this.end); } @step end() {}`).catch((e: any) => e);
    expect(error.cause).toBeInstanceOf(ForeachError);
    expect(error.cause.message).toBe(
      "Step 'start' fans out over this.xs, which is empty, so the foreach has zero splits. Give it at least one element (or branch around the foreach with a switch).",
    );
  });

  test("foreach over more splits than allowed", async () => {
    const error = await run(
      `@step start() { (this as any).xs = [1, 2, 3]; this.next(this.a, { foreach: "xs" }); }
      @step a() { this.next(this.j); } @step j(i: unknown) { this.next(this.end); } @step end() {}`,
      { maxNumSplits: 2 },
    ).catch((e: any) => e);
    expect(error.cause.message).toBe(
      "Step 'start' fans out over this.xs into 3 splits, more than the limit of 2. Raise it with the maxNumSplits run option (--max-num-splits) if this is intended.",
    );
  });

  test("foreach over a plain object is refused with a hint", async () => {
    const error = await run(`@step start() { (this as any).xs = { a: 1 }; this.next(this.a, { foreach: "xs" }); }
      @step a() { this.next(this.j); } @step j(i: unknown) { this.next(this.end); } @step end() {}`).catch((e: any) => e);
    expect(error.cause.message).toContain("is not iterable");
    expect(error.cause.message).toContain("Object.entries(obj)");
  });

  test("a step that returns early without next", async () => {
    const error = await run(`@step start() { if (true) return; this.next(this.end); } @step end() {}`).catch((e: any) => e);
    expect(error.cause.message).toBe(
      "Step 'start' finished without calling this.next(...). Call it as the step's last statement (an early return or an exception path may have skipped it).",
    );
  });
});
