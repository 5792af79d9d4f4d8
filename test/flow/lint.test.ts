import { describe, expect, test } from "vitest";
import { LintError, LINT_RULES_FOR_TEST } from "./lint-fixture.js";
import { loadFlowModule } from "./compile-flow.js";

/** Compiles a flow class body named F and returns the LintError that check() throws. */
function lintErrorOf(body: string, extraImports = ""): LintError {
  const { F } = loadFlowModule(
    `import { FlowSpec, step, catchFailure } from "wbflow";${extraImports}\nexport class F extends FlowSpec {\n${body}\n}`,
    { mode: "legacy", useDefineForClassFields: false },
  );
  try {
    F.check();
  } catch (error) {
    if (error instanceof LintError) return error;
    throw error;
  }
  throw new Error("check() passed, but a lint error was expected");
}

describe("lint rules, each with its message", () => {
  test("the rules run in a fixed order, empty foreach before split/join balance", () => {
    const names = LINT_RULES_FOR_TEST.map((r) => r.name);
    expect(names.indexOf("emptyForeach")).toBeLessThan(names.indexOf("splitJoinBalance"));
  });

  test("reserved step name", () => {
    const error = lintErrorOf(`@step start() { this.next(this.index2); } @step index2() { this.next(this.end); } @step end() {}
      @step input() { this.next(this.end); }`);
    expect(error.rule).toBe("reservedWords");
    expect(error.message).toBe("Step 'input' uses a name the flow API reserves. Rename the step method.");
  });

  test("no start step", () => {
    const error = lintErrorOf(`@step begin() { this.next(this.end); } @step end() {}`);
    expect(error.rule).toBe("basicSteps");
    expect(error.message).toBe("Flow F has no start step. Name a step 'start' or mark one with @step({ start: true }).");
  });

  test("no end step", () => {
    const error = lintErrorOf(`@step start() { this.next(this.finish); } @step finish() {}`);
    expect(error.message).toBe("Flow F has no end step. Name a step 'end' or mark one with @step({ end: true }).");
  });

  test("several start annotations", () => {
    const error = lintErrorOf(`@step({ start: true }) a() { this.next(this.end); } @step({ start: true }) b() { this.next(this.end); } @step end() {}`);
    expect(error.message).toBe(
      "Steps 'a', 'b' are all marked @step({ start: true }); a flow has exactly one start step. Keep the mark on one of them.",
    );
  });

  test("annotation conflicts with a step named start", () => {
    const error = lintErrorOf(`@step({ start: true }) begin() { this.next(this.end); } @step start() { this.next(this.end); } @step end() {}`);
    expect(error.rule).toBe("annotationNameConflict");
    expect(error.message).toBe(
      "Step 'begin' is marked @step({ start: true }) but another step is named 'start', so the start step is ambiguous. " +
        "Rename the step 'start' or remove the mark.",
    );
  });

  test("transition into the start step", () => {
    const error = lintErrorOf(`@step start() { this.next(this.a); } @step a() { this.next(this.start); } @step end() {}`);
    expect(error.rule).toBe("startEndDegree");
    expect(error.message).toBe(
      "The start step 'start' is the target of this.next(...) in 'a'. Nothing may transition back to the start step; point those transitions at another step.",
    );
  });

  test("end step with a transition", () => {
    const error = lintErrorOf(`@step start() { this.next(this.end); } @step end() { this.next(this.a); } @step a() { this.next(this.end); }`);
    expect(error.rule).toBe("startEndDegree");
    expect(error.message).toBe("The end step 'end' calls this.next(...). The end step has no successors: remove the call.");
  });

  test("end step that is a join", () => {
    const error = lintErrorOf(`@step start() { this.next(this.a, this.b); } @step a() { this.next(this.end); } @step b() { this.next(this.end); }
      @step end(inputs: unknown) {}`);
    expect(error.rule).toBe("endIsEnd");
    expect(error.message).toBe(
      "The end step 'end' takes an 'inputs' argument, which makes it a join. Add a separate join step before it and let 'end' take no arguments.",
    );
  });

  test("end step calling next with no target", () => {
    const error = lintErrorOf(`@step start() { this.next(this.end); } @step end() { (this as any).next(); }`);
    expect(error.rule).toBe("endIsEnd");
    expect(error.message).toBe("The end step 'end' calls this.next(...). The end step has no successors: remove the call.");
  });

  test("invalid step name", () => {
    const error = lintErrorOf(`@step start() { this.next(this._private); } @step _private() { this.next(this.end); } @step end() {}`);
    expect(error.rule).toBe("stepNames");
    expect(error.message).toBe(
      "Step '_private' has an invalid name: step names start with a letter and contain only ASCII letters, digits and '_'. Rename it.",
    );
  });

  test("too many arguments", () => {
    const error = lintErrorOf(`@step start() { this.next(this.a); } @step a(x: unknown, y: unknown) { this.next(this.end); } @step end() {}`);
    expect(error.rule).toBe("argumentCounts");
    expect(error.message).toBe(
      "Step 'a' declares 2 arguments. A step takes none, or one ('inputs') if it is a join. Remove the extra arguments.",
    );
  });

  test("a join that also splits", () => {
    const error = lintErrorOf(`@step start() { this.next(this.a, this.b); } @step a() { this.next(this.j); } @step b() { this.next(this.j); }
      @step j(inputs: unknown) { this.next(this.c, this.d); } @step c() { this.next(this.k); } @step d() { this.next(this.k); }
      @step k(inputs: unknown) { this.next(this.end); } @step end() {}`);
    expect(error.message).toBe(
      "Step 'j' is both a join (it takes 'inputs') and a split (its this.next(...) fans out or switches). " +
        "Split it in two: a join step that then transitions to a separate splitting step.",
    );
  });

  test("missing this.next", () => {
    const error = lintErrorOf(`@step start() { const x = 1; } @step end() {}`);
    expect(error.rule).toBe("staticTransitions");
    expect(error.message).toBe(
      "Step 'start' does not end with a this.next(...) transition. Add this.next(...) as the last statement of the step.",
    );
  });

  test("this.next inside an if is explained", () => {
    const error = lintErrorOf(`@step start() { if (Math.random() > 2) { this.next(this.end); } } @step end() {}`);
    expect(error.message).toContain("It calls this.next(...), but not as its last statement");
  });

  test("unsupported transition shape: variable switch key", () => {
    const error = lintErrorOf(`@step start() { const k = "x"; this.mode = "x"; this.next({ [k]: this.a, y: this.end }, { condition: "mode" }); }
      mode!: string; @step a() { this.next(this.end); } @step end() {}`);
    expect(error.rule).toBe("validTransitions");
    expect(error.message).toMatch(
      /^Step 'start' has a this.next\(...\) call the engine cannot use: switch case keys must be string or number literals, not variables or computed values\. The supported forms are:\n  - linear: /,
    );
  });

  test("foreach with two targets", () => {
    const error = lintErrorOf(`@step start() { this.next(this.a, this.end, { foreach: "xs" }); } @step a() { this.next(this.end); } @step end() {}`);
    expect(error.message).toContain("a foreach has exactly one target step");
  });

  test("unknown target", () => {
    const error = lintErrorOf(`@step start() { this.next(this.missing); } missing() {} @step end() {}`);
    expect(error.rule).toBe("unknownTransitions");
    expect(error.message).toBe("Step 'start' transitions to 'missing', which is not a step of flow F. Fix the name, or add @step to the method 'missing'.");
  });

  test("cycle", () => {
    const error = lintErrorOf(`@step start() { this.next(this.a); } @step a() { this.next(this.b); } @step b() { this.next(this.a); } @step end() {}`);
    expect(error.rule).toBe("acyclicity");
    expect(error.message).toBe(
      "Flow F has a cycle: a -> b -> a. Only a switch case pointing at its own step may loop; change the this.next(...) calls so the steps form no other cycle.",
    );
  });

  test("a linear self-edge is a cycle", () => {
    const error = lintErrorOf(`@step start() { this.next(this.a); } @step a() { this.next(this.a); } @step end() {}`);
    expect(error.message).toContain("cycle: a -> a");
  });

  test("orphan step", () => {
    const error = lintErrorOf(`@step start() { this.next(this.end); } @step lonely() { this.next(this.end); } @step end() {}`);
    expect(error.rule).toBe("orphans");
    expect(error.message).toBe(
      "Step 'lonely' can never run: no path leads to it from the start step 'start'. Transition to it from another step with this.next(this.lonely), or remove @step from it.",
    );
  });

  test("empty foreach is reported as such (not as an imbalance)", () => {
    const error = lintErrorOf(`@step start() { this.next(this.j, { foreach: "xs" }); } @step j(inputs: unknown) { this.next(this.end); } @step end() {}`);
    expect(error.rule).toBe("emptyForeach");
    expect(error.message).toBe(
      "Step 'start' fans out with foreach straight into the join step 'j', so the foreach has no body. Add a step between them that does the per-item work.",
    );
  });

  test("switch with one case", () => {
    const error = lintErrorOf(`mode = "a"; @step start() { this.next({ a: this.end }, { condition: "mode" }); } @step end() {}`);
    expect(error.rule).toBe("switchSplits");
    expect(error.message).toBe("Switch step 'start' defines 1 case; a switch needs at least 2. Use a linear this.next(...) instead.");
  });

  test("switch without cases", () => {
    const error = lintErrorOf(`@step start() { this.next({}, { condition: "mode" }); } @step end() {}`);
    expect(error.message).toBe("Switch step 'start' defines no cases. Pass an object mapping values to steps to this.next(...).");
  });

  test("switch without condition", () => {
    const error = lintErrorOf(`@step start() { this.next({ a: this.end, b: this.end }); } @step end() {}`);
    expect(error.message).toBe(
      'Switch step \'start\' has no condition. Name the artifact to switch on: this.next({ ... }, { condition: "name" }).',
    );
  });

  test("switch case straight into a join", () => {
    const error = lintErrorOf(`mode = "x";
      @step start() { this.next(this.a, this.b); }
      @step a() { this.next({ x: this.j, y: this.c }, { condition: "mode" }); }
      @step c() { this.next(this.j); } @step b() { this.next(this.j); }
      @step j(inputs: unknown) { this.next(this.end); } @step end() {}`);
    expect(error.rule).toBe("ambiguousJoins");
    expect(error.message).toBe(
      "A case of switch step 'a' leads straight into the join step 'j'. Put an ordinary step on that path between the switch and the join.",
    );
  });

  test("split never joined", () => {
    const error = lintErrorOf(`@step start() { this.next(this.a, this.b); } @step a() { this.next(this.end); } @step b() { this.next(this.end); } @step end() {}`);
    expect(error.rule).toBe("splitJoinBalance");
    expect(error.message).toBe(
      "The end step 'end' is reached while the split(s) 'start' are still open. Add a join step (one that takes 'inputs') before 'end'.",
    );
  });

  test("a join that forgot inputs gets a hint", () => {
    const error = lintErrorOf(`@step start() { this.next(this.a, this.b); } @step a() { this.next(this.j); } @step b() { this.next(this.j); }
      @step j() { this.next(this.end); } @step end() {}`);
    expect(error.message).toBe(
      "The end step 'end' is reached while the split(s) 'start' are still open. Add a join step (one that takes 'inputs') before 'end'. " +
        "Step 'j' is reached from the branches of split 'start' but takes no 'inputs' argument, so it does not join them. " +
        "If it is meant to be the join, declare it as j(inputs) { ... }.",
    );
  });

  test("join without a split", () => {
    const error = lintErrorOf(`@step start() { this.next(this.j); } @step j(inputs: unknown) { this.next(this.end); } @step end() {}`);
    expect(error.message).toBe(
      "Step 'j' takes 'inputs', which makes it a join, but no split comes before it. Remove the 'inputs' argument, or fan out with a split or foreach before it.",
    );
  });

  test("join reached from only some branches", () => {
    const error = lintErrorOf(`@step start() { this.next(this.a, this.b); } @step a() { this.next(this.j); } @step b() { this.next(this.k); }
      @step j(inputs: unknown) { this.next(this.k); } @step k(inputs: unknown) { this.next(this.end); } @step end() {}`);
    expect(error.rule).toBe("splitJoinBalance");
    expect(error.message).toBe(
      "Join step 'j' is reached from branch(es) 'a' of split 'start', which has 2 branch(es): 'a', 'b'. Every branch of a split must lead to its join; route the missing branches to 'j'.",
    );
  });

  test("join of unrelated splits", () => {
    const error = lintErrorOf(`@step start() { this.next(this.a, this.b); }
      @step a() { this.next(this.a1, this.a2); } @step a1() { this.next(this.j); } @step a2() { this.next(this.j); }
      @step b() { this.next(this.j); }
      @step j(inputs: unknown) { this.next(this.end); } @step end() {}`);
    expect(error.message).toBe(
      "Join step 'j' receives branches of different splits ('start', 'a'). A join closes exactly one split: add a separate join for each split.",
    );
  });

  test("@catch on a switch step", () => {
    const error = lintErrorOf(`mode = "a";
      @catchFailure @step start() { this.next({ a: this.x, b: this.y }, { condition: "mode" }); }
      @step x() { this.next(this.end); } @step y() { this.next(this.end); } @step end() {}`);
    expect(error.rule).toBe("catchPlacement");
    expect(error.message).toBe(
      "Step 'start' has @catch, but @catch cannot be used on a switch step: a caught failure has no transition to follow. Move the risky work into a step before or after 'start'.",
    );
  });

  test("@catch on a foreach split", () => {
    const error = lintErrorOf(`xs = [1];
      @catchFailure @step start() { this.next(this.a, { foreach: "xs" }); } @step a() { this.next(this.j); }
      @step j(inputs: unknown) { this.next(this.end); } @step end() {}`);
    expect(error.rule).toBe("catchPlacement");
    expect(error.message).toBe(
      "Step 'start' has @catch, but @catch cannot be used on a foreach split step: a caught failure has no transition to follow. Move the risky work into a step before or after 'start'.",
    );
  });
});

describe("flow definition errors", () => {
  const define = (source: string) => () =>
    loadFlowModule(`import { FlowSpec, step } from "wbflow";\n${source}`, { mode: "legacy", useDefineForClassFields: false }).F.check();

  test("@step twice", () => {
    expect(define(`export class F extends FlowSpec { @step @step start() {} }`)).toThrow("Method 'start' has @step twice. Keep one.");
  });

  test("@step on a class", () => {
    expect(define(`@(step as any) export class F extends FlowSpec { @step start() {} }`)).toThrow(
      "@step marks methods, but it was put on the class F. Put @step on each step method.",
    );
  });

  test("unknown @step option", () => {
    expect(define(`export class F extends FlowSpec { @step({ begin: true } as any) start() {} }`)).toThrow(
      "@step has no option 'begin'. Its options are start and end.",
    );
  });

  test("a field and a step with the same name", () => {
    expect(define(`export class F extends FlowSpec { start = 1; @step start() {} }`)).toThrow(
      "Flow F has a field and a step both named 'start'. Rename one of them.",
    );
  });
});
