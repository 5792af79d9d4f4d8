import { expect, test } from "vitest";
import { flowFrom, tempDatastore } from "./helpers.js";

test("a foreach inside one branch of a split, a switch inside the foreach, nested splits", async () => {
  const F = flowFrom(`export class F extends FlowSpec {
    @step start() { (this as any).xs = [1, 2, 3, 4]; this.next(this.fan, this.side); }
    @step fan() { this.next(this.each, { foreach: "xs" }); }
    @step each() { (this as any).parity = (this.input as number) % 2 === 0 ? "even" : "odd"; this.next({ even: this.half, odd: this.triple }, { condition: "parity" }); }
    @step half() { (this as any).y = (this.input as number) / 2; this.next(this.merge); }
    @step triple() { (this as any).y = (this.input as number) * 3; this.next(this.merge); }
    @step merge() { this.next(this.eachJoin); }
    @step eachJoin(inputs: any) { (this as any).ys = inputs.map((i: any) => i.y); this.next(this.branchJoin); }
    @step side() { this.next(this.s1, this.s2); }
    @step s1() { (this as any).s = "one"; this.next(this.sideJoin); }
    @step s2() { (this as any).s = "two"; this.next(this.sideJoin); }
    @step sideJoin(inputs: any) { (this as any).ss = inputs.map((i: any) => i.s); this.next(this.branchJoin); }
    @step branchJoin(inputs: any) { (this as any).result = [inputs.eachJoin.ys, inputs.sideJoin.ss]; this.next(this.end); }
    @step end() {}
  }`);
  const run = await F.run({}, { datastore: tempDatastore(), maxWorkers: 3 });
  expect((await run.data()).result).toEqual([[3, 1, 9, 2], ["one", "two"]]);
  expect(run.tasksOf("half").map((t: any) => t.pathspecIndex)).toEqual(["half[1][]", "half[3][]"]);
  expect(run.tasksOf("merge")).toHaveLength(4);
});

test("a loop inside a foreach keeps iterations per split", async () => {
  const F = flowFrom(`export class F extends FlowSpec {
    @step start() { (this as any).limits = [2, 3]; this.next(this.each, { foreach: "limits" }); }
    @step each() { (this as any).n = 0; this.next(this.count); }
    @step count() {
      (this as any).n += 1;
      (this as any).more = (this as any).n < (this.input as number) ? "again" : "done";
      this.next({ again: this.count, done: this.after }, { condition: "more" });
    }
    @step after() { this.next(this.join); }
    @step join(inputs: any) { (this as any).ns = inputs.map((i: any) => i.n); this.next(this.end); }
    @step end() {}
  }`);
  const run = await F.run({}, { datastore: tempDatastore() });
  expect((await run.data()).ns).toEqual([2, 3]);
  expect(run.tasksOf("count").map((t: any) => t.pathspecIndex).sort()).toEqual([
    "count[0][0]",
    "count[0][1]",
    "count[1][0]",
    "count[1][1]",
    "count[1][2]",
  ]);
});

test("a flow inherits steps, parameters and flow-level decorators from a base flow; overrides win", async () => {
  const { Child } = (await import("./helpers.js")).flowModule(`
    @retry({ times: 1 })
    export class Base extends FlowSpec {
      alpha = Parameter("alpha", { default: 2 });
      @step start() { (this as any).v = this.alpha; this.next(this.middle); }
      @step middle() { (this as any).w = "base"; this.next(this.end); }
      @step end() {}
    }
    export class Child extends Base {
      @step middle() { (this as any).w = "child"; this.next(this.end); }
    }`);
  const run = await Child.run({ alpha: 5 }, { datastore: tempDatastore() });
  expect(await run.data()).toEqual({ alpha: 5, v: 5, w: "child" });
  expect(Child.check().steps.middle.decorators).toEqual([{ name: "retry", options: { times: 1, minutesBetweenRetries: 0 } }]);
});
