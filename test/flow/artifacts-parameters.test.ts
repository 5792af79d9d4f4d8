import { describe, expect, test } from "vitest";
import { FlowDefinitionError, MergeConflictError, MergeMissingError, ParameterError, ReadOnlyAttributeError } from "../../src/flow/errors.js";
import { COMPILE_MODES } from "./compile-flow.js";
import { flowFrom, tempDatastore } from "./helpers.js";

describe.each(COMPILE_MODES)("fields and parameters ($label)", (mode) => {
  test("fields declared with ! and declare do not hide stored artifacts", async () => {
    const F = flowFrom(
      `export class F extends FlowSpec {
        count!: number;
        declare label: string;
        @step start() { this.count = 1; this.label = "x"; this.next(this.end); }
        @step end() { this.count = this.count + 1; this.label = this.label + "y"; }
      }`,
      "F",
      mode,
    );
    expect(await (await F.run({}, { datastore: tempDatastore() })).data()).toEqual({ count: 2, label: "xy" });
  });

  test("parameters of every type, function defaults, separators; read-only in steps", async () => {
    const F = flowFrom(
      `export class F extends FlowSpec {
        alpha = Parameter("alpha", { default: 0.5, help: "rate" });
        name2 = Parameter("who", { type: "string", required: true });
        flag = Parameter("flag", { default: false });
        config = Parameter("config", { type: "json", default: { depth: 2 } });
        seeds = Parameter("seeds", { default: "1,2", separator: "," });
        computed = Parameter("computed", { default: (ctx: any) => ctx.flowName + ":" + ctx.parameterName });
        optional = Parameter("optional", { type: "number" });
        @step start() { (this as any).seen = [this.alpha, this.name2, this.flag, this.config, this.seeds, this.computed, this.optional]; this.next(this.end); }
        @step end() {}
      }`,
      "F",
      mode,
    );
    const run = await F.run({ who: "ann", alpha: "0.25", flag: "true", config: '{"depth":3}' }, { datastore: tempDatastore() });
    expect((await run.data()).seen).toEqual([0.25, "ann", true, { depth: 3 }, ["1", "2"], "F:computed", undefined]);
  });

  test("assigning a parameter or constant fails the step with a clear error", async () => {
    const F = flowFrom(
      `export class F extends FlowSpec {
        alpha = Parameter("alpha", { default: 1 });
        LIMIT = 10;
        @step start() { this.next(this.end); }
        @step end() { (this as any).alpha = 2; }
      }`,
      "F",
      mode,
    );
    const error = await F.run({}, { datastore: tempDatastore() }).catch((e: any) => e);
    expect(error.cause).toBeInstanceOf(ReadOnlyAttributeError);
    expect(error.cause.message).toBe(
      "In step 'end' of flow F: this.alpha is a parameter or flow-level constant, and those cannot be changed during a run. " +
        "Store the new value under another name, e.g. this.alphaAdjusted = ...",
    );
    const G = flowFrom(
      `export class G extends FlowSpec { LIMIT = 10; @step start() { (this as any).LIMIT = 11; this.next(this.end); } @step end() {} }`,
      "G",
      mode,
    );
    await expect(G.run({}, { datastore: tempDatastore() })).rejects.toThrow(/this\.LIMIT is a parameter or flow-level constant/);
  });
});

describe("parameter errors", () => {
  const F = () =>
    flowFrom(`export class F extends FlowSpec {
      alpha = Parameter("alpha", { default: 0.5 });
      who = Parameter("who", { type: "string", required: true });
      @step start() { this.next(this.end); } @step end() {}
    }`);

  test("missing required value", async () => {
    await expect(F().run({}, { datastore: tempDatastore() })).rejects.toThrow(
      new ParameterError("Parameter 'who' of flow F is required but no value was given. Pass it as run({ who: ... }) or --who VALUE."),
    );
  });

  test("value of the wrong type", async () => {
    await expect(F().run({ who: "x", alpha: "fast" }, { datastore: tempDatastore() })).rejects.toThrow(
      "Parameter 'alpha' of flow F: 'fast' is not a number. Pass a number such as 0.5.",
    );
    await expect(F().run({ who: 3 }, { datastore: tempDatastore() })).rejects.toThrow(
      "Parameter 'who' of flow F: the value is 3 (number), but the parameter is a string.",
    );
  });

  test("unknown parameter", async () => {
    await expect(F().run({ who: "x", beta: 1 }, { datastore: tempDatastore() })).rejects.toThrow(
      "Flow F has no parameter 'beta'. Its parameters: alpha, who.",
    );
  });

  test("reserved, duplicate and badly typed declarations", () => {
    const declare = (fields: string) =>
      flowFrom(`export class F extends FlowSpec { ${fields} @step start() { this.next(this.end); } @step end() {} }`).check();
    expect(() => declare(`a = Parameter("tags", {});`)).toThrow(
      new FlowDefinitionError("Parameter 'tags' of flow F: 'tags' is a reserved option name of wbflow. Rename the parameter."),
    );
    expect(() => declare(`a = Parameter("Alpha", {}); b = Parameter("alpha", {});`)).toThrow(
      "Flow F declares parameter 'alpha' twice (also as 'Alpha'); parameter names are case-insensitive. Rename one of them.",
    );
    expect(() => declare(`a = Parameter("n", { default: 1, separator: "," });`)).toThrow(
      "Parameter 'n' of flow F: a separator is only allowed for string parameters (this one is number).",
    );
    expect(() => declare(`a = Parameter("n", { type: "number", default: "x" });`)).toThrow(
      "Parameter 'n' of flow F: its default is \"x\" (string), but the parameter is a number.",
    );
  });
});

describe("join reset and mergeArtifacts", () => {
  const join = (body: string) =>
    flowFrom(`export class F extends FlowSpec {
      @step start() { (this as any).common = [1, 2]; (this as any).x = 0; this.next(this.a, this.b); }
      @step a() { (this as any).x = 1; (this as any).onlyA = "a"; this.next(this.join); }
      @step b() { (this as any).x = 2; this.next(this.join); }
      @step join(inputs: any) { ${body} this.next(this.end); }
      @step end() {}
    }`).run({}, { datastore: tempDatastore() });

  test("a join starts without upstream artifacts", async () => {
    const data = await (await join(`(this as any).had = ["common" in this, "x" in this];`)).data();
    expect(data).toEqual({ had: [false, false] });
  });

  test("conflicting values are refused and named", async () => {
    const error = await join(`this.mergeArtifacts(inputs);`).catch((e: any) => e);
    expect(error.cause).toBeInstanceOf(MergeConflictError);
    expect(error.cause.artifactNames).toEqual(["x"]);
    expect(error.cause.message).toBe(
      "Step 'join' cannot merge [x]: the inputs hold different values for it. Set this.x yourself (e.g. from inputs) before calling mergeArtifacts, or exclude it.",
    );
  });

  test("setting the conflicting artifact first resolves it; identical and one-sided values merge", async () => {
    const data = await (await join(`(this as any).x = Math.max(...inputs.map((i: any) => i.x)); this.mergeArtifacts(inputs);`)).data();
    expect(data).toEqual({ x: 2, common: [1, 2], onlyA: "a" });
  });

  test("exclude and include", async () => {
    expect(await (await join(`this.mergeArtifacts(inputs, { exclude: ["x"] });`)).data()).toEqual({ common: [1, 2], onlyA: "a" });
    expect(await (await join(`this.mergeArtifacts(inputs, { include: ["common"] });`)).data()).toEqual({ common: [1, 2] });
  });

  test("include of an artifact no input has", async () => {
    const error = await join(`this.mergeArtifacts(inputs, { include: ["nope"] });`).catch((e: any) => e);
    expect(error.cause).toBeInstanceOf(MergeMissingError);
    expect(error.cause.message).toBe(
      "Step 'join' asked mergeArtifacts to include [nope], but no input has it. Include only artifacts that at least one branch sets.",
    );
  });

  test("inputs are read-only", async () => {
    const error = await join(`inputs[0].x = 5;`).catch((e: any) => e);
    expect(error.cause.message).toContain("are read-only (tried to change 'x'). Assign to this.x in the join instead.");
  });
});

describe("task isolation", () => {
  test("a task never sees another task's in-memory mutations; in-place changes are persisted", async () => {
    const F = flowFrom(`export class F extends FlowSpec {
      @step start() { (this as any).list = [1]; this.next(this.a, this.b); }
      @step a() { (this as any).list.push("a"); this.next(this.join); }
      @step b() { (this as any).list.push("b"); this.next(this.join); }
      @step join(inputs: any) { (this as any).lists = inputs.map((i: any) => i.list); this.next(this.end); }
      @step end() {}
    }`);
    const run = await F.run({}, { datastore: tempDatastore() });
    expect((await run.data()).lists).toEqual([[1, "a"], [1, "b"]]);
    expect(await run.artifact("list", "start")).toEqual([1]);
  });

  test("a foreach element changed in place is persisted with its list; a list of plain values is passed on as is", async () => {
    const F = flowFrom(`export class F extends FlowSpec {
      @step start() { (this as any).rows = [{ n: 1 }, { n: 2 }]; this.next(this.mark, { foreach: "rows" }); }
      @step mark() { (this.input as any).seen = true; this.next(this.join); }
      @step join(inputs: any) { (this as any).marked = inputs.map((i: any) => i.rows); this.next(this.fan); }
      @step fan() { (this as any).ids = [7, 8]; this.next(this.each, { foreach: "ids" }); }
      @step each() { (this as any).id = this.input; this.next(this.join2); }
      @step join2(inputs: any) { (this as any).seenIds = inputs.map((i: any) => i.id); this.next(this.end); }
      @step end() {}
    }`);
    const datastore = tempDatastore();
    const run = await F.run({}, { datastore });
    expect(await run.artifact("marked", "join")).toEqual([[{ n: 1, seen: true }, { n: 2 }], [{ n: 1 }, { n: 2, seen: true }]]);
    expect(await run.artifact("seenIds", "join2")).toEqual([7, 8]);
    const producerOf = async (step: string, name: string) => {
      const [taskId] = await datastore.listTasks("F", run.runId, step);
      return (await datastore.readTask({ flowName: "F", runId: run.runId, stepName: step, taskId: taskId! })).artifacts[name]!.producedBy;
    };
    expect(await producerOf("mark", "rows")).toMatch(/^F\/\d+\/mark\/\d+$/); // stored again by the split
    expect(await producerOf("each", "ids")).toMatch(/^F\/\d+\/fan\/\d+$/); // fan's record, unchanged
  });

  test("a value no codec can store fails the step, naming step and attribute", async () => {
    const F = flowFrom(`export class F extends FlowSpec {
      @step start() { (this as any).fn = () => 1; this.next(this.end); }
      @step end() {}
    }`);
    const error = await F.run({}, { datastore: tempDatastore() }).catch((e: any) => e);
    expect(error.cause.name).toBe("ArtifactStoreError");
    expect(error.cause.message).toMatch(/^Step 'start' of flow F could not store this\.fn: /);
  });
});

describe("storing the flow object or join inputs", () => {
  test("is refused with a message that says what to store instead", async () => {
    const F = flowFrom(`export class F extends FlowSpec {
      @step start() { this.next(this.a, this.b); }
      @step a() { this.next(this.join); }
      @step b() { this.next(this.join); }
      @step join(inputs: any) { (this as any).all = inputs; this.next(this.end); }
      @step end() {}
    }`);
    const error = await F.run({}, { datastore: tempDatastore() }).catch((e: any) => e);
    expect(error.cause.message).toBe(
      "Step 'join' of flow F could not store this.all: this.all holds join inputs, which cannot be stored. " +
        "Store the specific values instead, e.g. this.all = inputs.map((input) => input.score).",
    );
    const G = flowFrom(`export class G extends FlowSpec { @step start() { (this as any).me = this; this.next(this.end); } @step end() {} }`, "G");
    const selfError = await G.run({}, { datastore: tempDatastore() }).catch((e: any) => e);
    expect(selfError.cause.message).toContain("this.me holds the flow object itself (this), which cannot be stored.");
  });
});
