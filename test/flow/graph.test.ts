import ts from "typescript";
import { describe, expect, test } from "vitest";
import { readStepSource } from "../../src/flow/graph/step-source.js";
import { flowFrom, tempDatastore } from "./helpers.js";

describe("reading transitions from compiled step sources", () => {
  test("method, async method, function expression, arrow-free downlevel alias", () => {
    expect(readStepSource("start() { this.next(this.a); }", "start").transition).toEqual({ kind: "linear", targets: ["a"] });
    expect(readStepSource("async start() { await x; this.next(this.a, this.b); }", "start").transition).toEqual({
      kind: "split",
      targets: ["a", "b"],
    });
    expect(readStepSource("function () { var _this = this; _this.next(_this.a, { foreach: 'xs' }); }", "s").transition).toEqual({
      kind: "foreach",
      targets: ["a"],
      foreachVar: "xs",
    });
    expect(readStepSource(`start() { this.next({ hi: this.a, "lo": this.b, 3: this.c }, { condition: "mode" }); }`, "s").transition).toEqual({
      kind: "switch",
      cases: [["hi", "a"], ["lo", "b"], ["3", "c"]],
      condition: "mode",
    });
    expect(readStepSource("j(inputs) { this.next(this.end); }", "j").argumentCount).toBe(1);
  });

  test("the __awaiter wrapper of targets below ES2017 is looked through", () => {
    const source = `start() {
      return __awaiter(this, void 0, void 0, function* () { yield Promise.resolve(); this.next(this.end); });
    }`;
    expect(readStepSource(source, "start").transition).toEqual({ kind: "linear", targets: ["end"] });
  });

  test("a next that is not the last statement is not a transition, but is noticed", () => {
    const read = readStepSource("start() { this.next(this.a); console.log(1); }", "start");
    expect(read.transition).toBeUndefined();
    expect(read.callsNext).toBe(true);
  });

  test("unreadable source is a clear error", () => {
    expect(() => readStepSource("[native code]", "start")).toThrow(
      "Could not read the source of step 'start' to find its this.next(...) call. Steps must be ordinary (or async) methods of the flow class.",
    );
  });

  test.each([
    ["ES2015 (async via __awaiter)", ts.ScriptTarget.ES2015, "legacy" as const],
    ["ES2015 standard decorators", ts.ScriptTarget.ES2015, "standard" as const],
    ["ES2017 legacy decorators", ts.ScriptTarget.ES2017, "legacy" as const],
  ])("flows compiled for %s run", async (_label, target, mode) => {
    const F = flowFrom(
      `export class F extends FlowSpec {
        @step async start() { (this as any).xs = [1, 2]; (this as any).doubled = (this as any).xs.map((x: number) => x * this.factor()); this.next(this.a, this.b); }
        factor() { return 2; }
        @step a() { this.next(this.j); }
        @step b() { this.next(this.j); }
        @step j(inputs: any) { this.mergeArtifacts(inputs); this.next(this.end); }
        @step end() {}
      }`,
      "F",
      { mode, target, useDefineForClassFields: false },
    );
    expect((await (await F.run({}, { datastore: tempDatastore() })).data()).doubled).toEqual([2, 4]);
  });
});

describe("graph info", () => {
  test("check() returns the graph as JSON with types, transitions, structure and parameters", () => {
    const F = flowFrom(`export class F extends FlowSpec {
      alpha = Parameter("alpha", { default: 0.5, help: "rate" });
      LIST = [1, 2];
      mode = Parameter("mode", { default: "x" });
      @retry({ times: 1 }) @step start() { this.next(this.a, this.b); }
      @step a() { this.next(this.j); }
      @step b() { this.next(this.j); }
      @step j(inputs: unknown) { this.next(this.k); }
      @step k() { this.next(this.fe, { foreach: "LIST" }); }
      @step fe() { this.next(this.fj); }
      @step fj(inputs: unknown) { this.next(this.sw); }
      @step sw() { this.next({ x: this.sw1, y: this.sw2 }, { condition: "mode" }); }
      @step sw1() { this.next(this.end); }
      @step sw2() { this.next(this.end); }
      @step end() {}
    }`);
    const info = F.check();
    expect(info.startStep).toBe("start");
    expect(info.endStep).toBe("end");
    expect(info.parameters).toEqual([
      { name: "alpha", attribute: "alpha", type: "number", help: "rate" },
      { name: "mode", attribute: "mode", type: "string" },
    ]);
    expect(info.constants).toEqual([{ name: "LIST", type: "array" }]);
    expect(info.steps.start).toMatchObject({ type: "split-static", next: ["a", "b"], matchingJoin: "j", decorators: [{ name: "retry", options: { times: 1, minutesBetweenRetries: 0 } }] });
    expect(info.steps.j).toMatchObject({ type: "join", takesInputs: true, splitParents: [] });
    expect(info.steps.k).toMatchObject({ type: "split-foreach", foreachVar: "LIST", matchingJoin: "fj" });
    expect(info.steps.fe).toMatchObject({ type: "linear", splitParents: ["k"] });
    expect(info.steps.sw).toMatchObject({ type: "split-switch", condition: "mode", switchCases: { x: "sw1", y: "sw2" } });
    expect(info.graphStructure).toEqual(["start", [["a"], ["b"]], "j", "k", [["fe"]], "fj", "sw", [["sw1"], ["sw2"]], "end"]);
    expect(Object.keys(info.steps)[0]).toBe("start");
  });
});
