/**
 * What must not go wrong: failed steps, values that cannot be logged, logging problems (which never
 * fail a step), non-ASCII and invalid attribute names, helpers of a decorated class, settings that
 * must not leak between steps, and the task-scoped `run`.
 */
import { afterEach, describe, expect, test } from "vitest";
import { FlowDefinitionError } from "../../src/flow/errors.js";
import { NoActiveRunError, run as activeRun } from "../../src/integration/wandb-log/active-run.js";
import { wandbRunsOf } from "../../src/integration/report/flow-run-runs.js";
import { artifactMissing, lineageOf, runNamed, runsByName, userSummary, LEGACY } from "./fixtures.js";
import { COMPILE_MODES, loadFlows } from "./load-flows.js";
import { workspace, type Workspace } from "./workspace.js";

let ws: Workspace;
afterEach(() => ws?.restore());
const HEADER = `
import { FlowSpec, step, Parameter, current } from "wbflow";
import { wandb_log, run } from "wbflow/wandb";
import * as aq from "arquero";
`;

test("a failed step's run finishes failed and still records what it read and wrote", async () => {
  ws = workspace("FailFlow");
  const { FailFlow } = loadFlows(
    `${HEADER}
@wandb_log({ datasets: true })
export class FailFlow extends FlowSpec {
  @step start() { this.raw_df = aq.table({ x: [1] }); this.next(this.train); }
  @step train() {
    this.partial = this.raw_df.numRows();
    this.checkpoint = aq.table({ y: [2] });
    if (this.partial > 0) throw new Error("diverged");
    this.next(this.end);
  }
  @step end() {}
}`,
    LEGACY,
  );
  const flowRun = await FailFlow.run({}, { datastore: ws.datastore, throwOnFailure: false });
  expect(flowRun.successful).toBe(false);
  expect(flowRun.error?.message).toMatch(/diverged/);
  const runs = await runsByName(ws, "FailFlow");
  const train = runNamed(runs, "train/2");
  expect(train).toMatchObject({ state: "failed", exitCode: 1 });
  expect(userSummary(train)).toEqual({ partial: 1 });
  expect(lineageOf(await ws.api.artifact("raw_df:v0")).consumers).toEqual([train.id]);
  expect(lineageOf(await ws.api.artifact("checkpoint:v0")).producer).toBe(train.id);
  expect(ws.lines).toContain(`wandb: FailFlow/${flowRun.runId}/train/2 -> run ${train.id} (failed), offline in ${train.dir}`);
});

const OPAQUE = `
import { registerCodec } from "wbflow";
export class Opaque { constructor(public secret = 1) {} }
registerCodec({
  id: "opaque-test",
  canEncode: (value: unknown): value is Opaque => value instanceof Opaque,
  typeName: () => "Opaque",
  encode: async (value: Opaque) => ({ bytes: new TextEncoder().encode(String(value.secret)) }),
  decode: async (source: any) => new Opaque(Number(new TextDecoder().decode(await source.bytes()))),
});
`;

test("an unknown kind with others off is skipped with one line; with others on it is logged by its codec", async () => {
  ws = workspace("OddFlow");
  const exports = loadFlows(
    `${HEADER}${OPAQUE}
@wandb_log
export class OddFlow extends FlowSpec {
  @step start() { this.opaque = new Opaque(); this.score = 0.5; this.next(this.others); }
  @wandb_log({ others: true })
  @step others() { this.kept = new Opaque(7); this.next(this.end); }
  @step end() {}
}`,
    LEGACY,
  );
  const flowRun = await exports.OddFlow.run({}, { datastore: ws.datastore });
  expect(flowRun.successful).toBe(true);
  expect(ws.lines.filter((line) => line.includes("did not log"))).toEqual([
    "wandb: start/1 did not log opaque (class Opaque): not a basic value, dataset or model; use @wandb_log({ others: true }) to log it as an artifact",
  ]);
  expect(userSummary(runNamed(await runsByName(ws, "OddFlow"), "start/1"))).toEqual({ score: 0.5 });
  expect(await artifactMissing(ws, "opaque:latest")).toBe(true);
  const kept = await ws.api.artifact("kept:v0");
  expect(kept).toMatchObject({ type: "other", metadata: { wbflow: { form: "encoded", codec: "opaque-test" } } });
  expect(kept.files().map((f) => f.path)).toEqual(["kept.bin", "kept.json"]);
  const loaded = await kept.load();
  expect(loaded).toBeInstanceOf(exports.Opaque);
  expect(loaded).toMatchObject({ secret: 7 });
});

test("a value no codec can write is skipped with one line naming step, attribute and type", async () => {
  ws = workspace("FnFlow");
  const { FnFlow } = loadFlows(
    `${HEADER}
@wandb_log({ others: true })
export class FnFlow extends FlowSpec {
  @step start() { this.callback = () => 1; this.score = 1; this.next(this.end); }
  @step end() {}
}`,
    LEGACY,
  );
  const flowRun = await FnFlow.run({}, { datastore: ws.datastore, throwOnFailure: false });
  expect(ws.lines.filter((line) => line.includes("did not log"))).toEqual([
    expect.stringMatching(/^wandb: start\/1 did not log callback \(function \(anonymous\)\): Cannot store a value of type function/),
  ]);
  const start = runNamed(await runsByName(ws, "FnFlow"), "start/1");
  expect(userSummary(start)).toEqual({ score: 1 });
  // The flow's own datastore cannot store a function either: that, not logging, fails the task,
  // and the task's W&B run says so instead of claiming success.
  expect(flowRun.error?.cause?.name).toBe("ArtifactStoreError");
  expect(start).toMatchObject({ state: "failed", exitCode: 1 });
  expect(ws.lines).toContain("wandb: start/1 cannot be stored by the flow (callback), so the task fails: its run is marked failed");
});

test("a W&B run that cannot start never fails the step: it runs without logging", async () => {
  ws = workspace("BrokenSaveFlow");
  const { BrokenSaveFlow } = loadFlows(
    `${HEADER}
@wandb_log
export class BrokenSaveFlow extends FlowSpec {
  @step start() { this.accuracy = 1; this.next(this.end); }
  @wandb_log({ settings: { project: "not/allowed" } })
  @step end() { this.done = true; }
}`,
    LEGACY,
  );
  const flowRun = await BrokenSaveFlow.run({}, { datastore: ws.datastore });
  expect(flowRun.successful).toBe(true);
  expect(ws.lines).toContainEqual(expect.stringMatching(/^wandb: end\/2 runs without W&B logging: its run could not start \(.*project.*\)$/));
  expect((await runsByName(ws, "BrokenSaveFlow")).size).toBe(1);
});

test("mode 'disabled' (setting or WANDB_MODE) runs the steps without W&B and without lines", async () => {
  ws = workspace("QuietFlow", { WANDB_MODE: "disabled" });
  const { QuietFlow } = loadFlows(
    `${HEADER}
@wandb_log
export class QuietFlow extends FlowSpec {
  @step start() { this.x = 1; this.next(this.end); }
  @wandb_log({ settings: { mode: "offline" } })
  @step end() { this.y = 2; }
}`,
    LEGACY,
  );
  expect((await QuietFlow.run({}, { datastore: ws.datastore })).successful).toBe(true);
  expect([...(await runsByName(ws, "QuietFlow")).keys()]).toEqual(["end/2"]);
  expect(ws.lines.filter((line) => line.includes("start/1"))).toEqual([]);
});

test("a model whose save fails is skipped with its error, the rest is logged", async () => {
  ws = workspace("SaveFailFlow");
  const { SaveFailFlow } = loadFlows(
    `${HEADER}
import { registerModelType } from "wbflow";
export class FragileModel {
  saveModel(_dir: string) { throw new Error("disk full"); }
  static loadModel() { return new FragileModel(); }
}
registerModelType(FragileModel);
@wandb_log({ models: true })
export class SaveFailFlow extends FlowSpec {
  @step start() { this.model = new FragileModel(); this.accuracy = 0.9; this.next(this.end); }
  @step end() {}
}`,
    LEGACY,
  );
  // The datastore cannot store it either (same save), so the run fails — but not because of logging.
  await SaveFailFlow.run({}, { datastore: ws.datastore, throwOnFailure: false });
  expect(ws.lines).toContain("wandb: start/1 did not log model (class FragileModel): disk full");
  expect(userSummary(runNamed(await runsByName(ws, "SaveFailFlow"), "start/1"))).toEqual({ accuracy: 0.9 });
});

test("non-ASCII and invalid attribute names get valid, documented artifact names and keep lineage", async () => {
  ws = workspace("NamesFlow");
  const { NamesFlow } = loadFlows(
    `${HEADER}
@wandb_log({ datasets: true })
export class NamesFlow extends FlowSpec {
  @step start() {
    this.données = aq.table({ x: [1] });
    (this as any)["test score"] = aq.table({ x: [2] });
    this.数据 = aq.table({ x: [3] });
    this.précision = 0.8;
    this.next(this.end);
  }
  @step end() {
    this.sum = this.données.numRows() + (this as any)["test score"].numRows() + this.数据.numRows();
  }
}`,
    LEGACY,
  );
  await NamesFlow.run({}, { datastore: ws.datastore });
  const runs = await runsByName(ws, "NamesFlow");
  const [start, end] = [runNamed(runs, "start/1"), runNamed(runs, "end/2")];
  expect(userSummary(start)).toEqual({ précision: 0.8 });
  const expected: Array<[string, RegExp]> = [
    ["données", /^donnees$/],
    ["test score", /^test_score-[0-9a-f]{8}$/],
    ["数据", /^__-[0-9a-f]{8}$/],
  ];
  for (const [attribute, pattern] of expected) {
    const line = ws.lines.find((l) => l.startsWith("wandb: start/1 logged") && (l.endsWith(`from ${attribute}`) || l.includes(` ${attribute}:`)))!;
    const name = /logged (\S+):v0/.exec(line)![1]!;
    expect(name).toMatch(pattern);
    const version = await ws.api.artifact(`${name}:v0`);
    expect(version.metadata).toMatchObject({ wbflow: { attribute } });
    expect(lineageOf(version)).toEqual({ producer: start.id, consumers: [end.id] });
  }
});

describe.each(COMPILE_MODES)("$label", (mode) => {
  test("on a class, only steps are logged: helpers, getters and static members are left alone", async () => {
    ws = workspace("HelperFlow");
    const { HelperFlow } = loadFlows(
      `${HEADER}
@wandb_log
export class HelperFlow extends FlowSpec {
  static scale(x: number) { return x * 10; }
  get doubled() { return this.value * 2; }
  helper(x: number) { this.fromHelper = x; return x + 1; }
  @step start() {
    this.value = HelperFlow.scale(this.helper(1));
    this.viaGetter = this.doubled;
    this.next(this.end);
  }
  @step end() {}
}`,
      mode,
    );
    expect(HelperFlow.scale(2)).toBe(20);
    await HelperFlow.run({}, { datastore: ws.datastore });
    const runs = await runsByName(ws, "HelperFlow");
    expect([...runs.keys()].sort()).toEqual(["end/2", "start/1"]);
    expect(userSummary(runNamed(runs, "start/1"))).toEqual({ fromHelper: 1, value: 20, viaGetter: 40 });
  });
});

test("settings are per task: parallel and later steps never see another step's settings", async () => {
  ws = workspace("SettingsFlow", { WANDB_PROJECT: "" });
  const flowSettings = { tags: ["flow"] };
  const branchSettings = { project: "branch-project", run_job_type: "custom", tags: ["branch"] };
  (globalThis as Record<string, unknown>).__settings = { flowSettings, branchSettings };
  const snapshot = structuredClone({ flowSettings, branchSettings });
  const { SettingsFlow } = loadFlows(
    `${HEADER}
const { flowSettings, branchSettings } = (globalThis as any).__settings;
@wandb_log({ settings: flowSettings })
export class SettingsFlow extends FlowSpec {
  @step start() { this.next(this.a, this.b); }
  @wandb_log({ settings: branchSettings })
  @step a() { this.who = "a"; this.next(this.join); }
  @step b() { this.who = "b"; this.next(this.join); }
  @step join(inputs: any) { this.next(this.end); }
  @step end() {}
}`,
    LEGACY,
  );
  const flowRun = await SettingsFlow.run({}, { datastore: ws.datastore });
  const branch = await ws.api.runs("branch-project");
  expect(branch.map((r) => [r.jobType, r.tags, r.group])).toEqual([["custom", ["branch"], `SettingsFlow/${flowRun.runId}`]]);
  const main = await ws.api.runs("SettingsFlow");
  expect(main.map((r) => [r.jobType, r.tags]).sort()).toEqual([
    ["b", ["flow"]],
    ["end", ["flow"]],
    ["join", ["flow"]],
    ["start", ["flow"]],
  ]);
  expect({ flowSettings, branchSettings }).toEqual(snapshot);
});

test("project: WANDB_PROJECT when set, else the flow name (never 'uncategorized')", async () => {
  ws = workspace("from-env", { WANDB_PROJECT: "from-env" });
  const { ProjectFlow } = loadFlows(`${HEADER}\n@wandb_log export class ProjectFlow extends FlowSpec { @step start() { this.next(this.end); } @step end() {} }`, LEGACY);
  const flowRun = await ProjectFlow.run({}, { datastore: ws.datastore });
  expect((await ws.api.runs("from-env")).length).toBe(2);
  expect(await ws.api.runs("uncategorized")).toEqual([]);
  const found = await wandbRunsOf(flowRun, { env: ws.env, home: ws.dir, cwd: ws.dir });
  expect(found.map((r) => r.jobType).sort()).toEqual(["end", "start"]);
});

test("run is the task's own W&B run inside a step, also in parallel branches, and throws outside", async () => {
  ws = workspace("ActiveFlow");
  const { ActiveFlow } = loadFlows(
    `${HEADER}
@wandb_log
export class ActiveFlow extends FlowSpec {
  lr = Parameter("lr", { default: 0.3 });
  @step start() { this.next(this.a, this.b); }
  @step async a() {
    await new Promise((r) => setTimeout(r, 5));
    this.myRun = run.id;
    this.lrSeen = run.config.get("lr");
    run.summary.set("custom", "a");
    this.next(this.join);
  }
  @step async b() { this.myRun = run.id; run.summary.set("custom", "b"); this.next(this.join); }
  @step join(inputs: any) { this.ids = [inputs.a.myRun, inputs.b.myRun]; this.next(this.end); }
  @step end() {}
}`,
    LEGACY,
  );
  await ActiveFlow.run({}, { datastore: ws.datastore });
  const runs = [...(await runsByName(ws, "ActiveFlow")).values()];
  for (const step of ["a", "b"]) {
    const r = runs.find((x) => x.jobType === step)!;
    expect(r.summary).toMatchObject({ myRun: r.id, custom: step });
  }
  expect(runs.find((x) => x.jobType === "a")!.summary).toMatchObject({ lrSeen: 0.3 });
  expect(() => activeRun.summary).toThrow(NoActiveRunError);
});

test("bad options fail when the flow is defined, naming the option", () => {
  ws = workspace("BadFlow");
  const define = (options: string) =>
    loadFlows(`${HEADER}\nexport class BadFlow extends FlowSpec { @wandb_log(${options}) @step start() { this.next(this.end); } @step end() {} }`, LEGACY);
  expect(() => define(`{ dataset: true }`)).toThrow(FlowDefinitionError);
  expect(() => define(`{ dataset: true }`)).toThrow(/unknown option 'dataset'.*datasets, models, others, settings/);
  expect(() => define(`{ models: "yes" }`)).toThrow(/'models' must be true or false/);
  expect(() => define(`{ settings: { run_id: "x" } }`)).toThrow(/'run_id' cannot be used/);
  expect(() => define(`{ settings: { projekt: "x" } }`)).toThrow(/unknown setting 'projekt'/);
});
