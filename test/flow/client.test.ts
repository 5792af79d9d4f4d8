import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { inspect } from "node:util";
import {
  ClientNotFoundError,
  DataArtifact,
  Flow,
  getNamespace,
  InvalidPathspecError,
  InvalidTagError,
  Metaflow,
  namespace,
  NamespaceMismatchError,
  Run,
  Step,
  Task,
} from "../../src/flow/client/client.js";
import { Datastore, TaskNotFinishedError } from "../../src/flow/datastore/datastore.js";
import { writeForeachRun, writeRun } from "./client-fixture.js";

let root: string;
let datastore: Datastore;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "wbflow-client-"));
  let clock = 1_000_000;
  datastore = new Datastore({ root, now: () => clock++ }); // deterministic start order
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const ids = (objects: Array<{ id: string }>): string[] => objects.map((o) => o.id);

describe("client: flows and runs", () => {
  it("lists flows and runs newest first, with latest and latest successful runs", async () => {
    await writeForeachRun(datastore, "100", 1000);
    await writeForeachRun(datastore, "200", 2000, false);
    await writeRun(datastore, { flowName: "EmptyFlow", runId: "1", createdAt: 5, tasks: [] });
    expect(ids(await new Metaflow({ datastore }).flows())).toEqual(["DemoFlow", "EmptyFlow"]);
    const flow = new Flow("DemoFlow", { datastore });
    expect(ids(await flow.runs())).toEqual(["200", "100"]);
    const iterated: string[] = [];
    for await (const run of flow) iterated.push(run.id);
    expect(iterated).toEqual(["200", "100"]);
    expect((await flow.latestRun())?.id).toBe("200");
    expect((await flow.latestSuccessfulRun())?.id).toBe("100");
    expect(ids(await flow.runs("nightly", "user:ada"))).toEqual(["200", "100"]);
    expect(await flow.runs("absent-tag")).toEqual([]);
  });

  it("reads a run's facts, status, data and parameters", async () => {
    await writeForeachRun(datastore, "100", 1000);
    const run = new Run("DemoFlow/100", { datastore });
    expect((await run.createdAt()).getTime()).toBe(1000);
    expect(await run.tags()).toEqual(["nightly", "user:ada"]);
    expect(await run.successful()).toBe(true);
    expect(await run.finished()).toBe(true);
    expect(await run.finishedAt()).toBeInstanceOf(Date);
    expect(await run.data()).toEqual({ total: 1400, summary: new Map([["ok", true]]) });
    expect(await run.parameters()).toEqual({ alpha: 0.5 });
    expect((await run.endTask())?.pathspec).toBe("DemoFlow/100/end/6");
    expect(ids(await run.steps())).toEqual(["end", "join", "body", "start"]);
  });

  it("reports a failed run as unsuccessful with the end task's exception", async () => {
    await writeForeachRun(datastore, "200", 2000, false);
    const run = new Run("DemoFlow/200", { datastore });
    expect(await run.successful()).toBe(false);
    expect(await run.finished()).toBe(false);
    expect(await run.data()).toBeUndefined();
    expect(await (await run.endTask())!.exception()).toEqual({ type: "Error", message: "boom" });
  });

  it("treats a run whose end has not started as unfinished", async () => {
    await writeRun(datastore, {
      flowName: "DemoFlow", runId: "300", createdAt: 3000,
      tasks: [{ step: "start", taskId: "1", values: {} }, { step: "body", taskId: "2", values: {}, unfinished: true, stdout: "working\n" }],
    });
    const run = new Run("DemoFlow/300", { datastore });
    expect(await run.endTask()).toBeUndefined();
    expect(await run.successful()).toBe(false);
    expect(await run.finishedAt()).toBeUndefined();
    const body = new Task("DemoFlow/300/body/2", { datastore });
    expect(await body.finished()).toBe(false);
    expect(await body.stdout()).toBe("working\n");
    await expect(body.data()).rejects.toBeInstanceOf(TaskNotFinishedError);
  });
});

describe("client: steps and tasks", () => {
  beforeEach(async () => {
    await writeForeachRun(datastore, "100", 1000);
  });

  it("hides internal artifacts in data() and decodes lazily", async () => {
    const start = new Task("DemoFlow/100/start/1", { datastore });
    expect(await start.data()).toEqual({ items: [10, 20, 30] });
    expect(await start.get("_private")).toBe("hidden");
    expect(await start.get("name")).toBe("DemoFlow");
    expect(ids(await start.artifacts())).toEqual(["items"]);
    expect(ids(await start.artifacts({ internal: true }))).toContain("_task_ok");
    const artifact = await start.artifact("items");
    expect(artifact.pathspec).toBe("DemoFlow/100/start/1/items");
    expect(await artifact.data()).toEqual([10, 20, 30]);
    expect(await artifact.sha()).toMatch(/^[0-9a-f]{64}$/);
    expect(await artifact.size()).toBeGreaterThan(0);
    expect(await new DataArtifact("DemoFlow/100/start/1/items", { datastore }).data()).toEqual([10, 20, 30]);
    expect(await start.stdout()).toBe("starting\n");
    expect(await start.stderr()).toBe("");
  });

  it("gives tasks of a step newest first, with their foreach index", async () => {
    const body = new Step("DemoFlow/100/body", { datastore });
    const tasks = await body.tasks();
    expect(ids(tasks)).toEqual(["4", "3", "2"]);
    expect(await Promise.all(tasks.map((t) => t.index()))).toEqual([2, 1, 0]);
    expect(await Promise.all(tasks.map((t) => t.get("square")))).toEqual([900, 400, 100]);
    expect(await new Task("DemoFlow/100/start/1", { datastore }).index()).toBeUndefined();
    expect(await body.finishedAt()).toBeInstanceOf(Date);
  });

  it("follows the graph between steps and tasks", async () => {
    const run = new Run("DemoFlow/100", { datastore });
    expect(ids(await run.step("body").parentSteps())).toEqual(["start"]);
    expect(ids(await run.step("body").childSteps())).toEqual(["join"]);
    expect(await run.step("start").parentSteps()).toEqual([]);
    expect(await run.step("end").childSteps()).toEqual([]);
    const join = new Task("DemoFlow/100/join/5", { datastore });
    expect(ids(await join.parentTasks())).toEqual(["2", "3", "4"]);
    expect(ids(await new Task("DemoFlow/100/start/1", { datastore }).childTasks())).toEqual(["2", "3", "4"]);
    expect(ids(await join.childTasks())).toEqual(["6"]);
  });

  it("reads the latest attempt by default and an older one on request", async () => {
    await writeRun(datastore, {
      flowName: "DemoFlow", runId: "400", createdAt: 4000,
      tasks: [{ step: "start", taskId: "1", values: { x: 1 }, failedAttempts: 2, stdout: "third time\n" }],
    });
    const latest = new Task("DemoFlow/400/start/1", { datastore });
    expect(await latest.currentAttempt()).toBe(2);
    expect(await latest.successful()).toBe(true);
    expect((await latest.metadata()).retryCount).toBe(2);
    expect(await latest.stdout()).toBe("third time\n");
    const first = new Task("DemoFlow/400/start/1", { datastore, attempt: 0 });
    expect(await first.successful()).toBe(false);
    expect(await first.stderr()).toBe("attempt 0 failed\n");
  });
});

describe("client: errors", () => {
  it("rejects pathspecs of the wrong shape", () => {
    expect(() => new Run("DemoFlow", { datastore })).toThrow(InvalidPathspecError);
    expect(() => new Run("DemoFlow", { datastore })).toThrow(`Run expects a pathspec like "FlowName/RunId", got "DemoFlow"`);
    expect(() => new Task("A/1/s", { datastore })).toThrow(/FlowName\/RunId\/StepName\/TaskId/);
    expect(() => new Flow("A//", { datastore })).toThrow(InvalidPathspecError);
    expect(() => new Step("A//s", { datastore })).toThrow(InvalidPathspecError);
  });

  it("says which object is missing, where, and how to list what exists", async () => {
    await writeForeachRun(datastore, "100", 1000);
    await expect(new Flow("Nope", { datastore }).runs()).rejects.toThrow(`Flow('Nope') does not exist in the datastore at ${root}`);
    await expect(new Run("DemoFlow/999", { datastore }).data()).rejects.toThrow(ClientNotFoundError);
    await expect(new Run("DemoFlow/999", { datastore }).data()).rejects.toThrow(/Run\('DemoFlow\/999'\).*new Flow\("DemoFlow"\)\.runs\(\)/);
    await expect(new Step("DemoFlow/100/nope", { datastore }).tasks()).rejects.toThrow(ClientNotFoundError);
    await expect(new Task("DemoFlow/100/start/77", { datastore }).data()).rejects.toThrow(ClientNotFoundError);
    await expect(new Task("DemoFlow/100/start/1", { datastore }).get("nope")).rejects.toThrow(/DataArtifact\('DemoFlow\/100\/start\/1\/nope'\).*stored: items/);
  });

  it("uses the default datastore from WBFLOW_DATASTORE", async () => {
    await writeForeachRun(datastore, "100", 1000);
    const saved = process.env.WBFLOW_DATASTORE;
    process.env.WBFLOW_DATASTORE = root;
    try {
      expect(await new Run("DemoFlow/100").successful()).toBe(true);
    } finally {
      if (saved === undefined) delete process.env.WBFLOW_DATASTORE;
      else process.env.WBFLOW_DATASTORE = saved;
    }
  });
});

describe("client: namespaces, tags and printing", () => {
  afterEach(() => {
    namespace(null);
  });

  it("filters runs and flows by namespace; the default is every run", async () => {
    await writeForeachRun(datastore, "100", 1000); // user:ada, nightly
    await writeRun(datastore, { flowName: "OtherFlow", runId: "1", createdAt: 5, tags: ["adhoc"], tasks: [] });
    expect(getNamespace()).toBeNull();
    expect(ids(await new Metaflow({ datastore }).flows())).toEqual(["DemoFlow", "OtherFlow"]);
    expect(namespace("nightly")).toBeNull();
    expect(ids(await new Metaflow({ datastore }).flows())).toEqual(["DemoFlow"]);
    expect(ids(await new Flow("DemoFlow", { datastore }).runs())).toEqual(["100"]);
    expect(await new Flow("OtherFlow", { datastore }).runs()).toEqual([]);
    await expect(new Run("OtherFlow/1", { datastore }).info()).rejects.toThrow(NamespaceMismatchError);
    await expect(new Run("OtherFlow/1", { datastore }).info()).rejects.toThrow(/not in namespace "nightly".*namespace\(null\)/);
    await writeRun(datastore, { flowName: "OtherFlow", runId: "2", createdAt: 6, tasks: [{ step: "start", taskId: "1", values: { x: 1 } }] });
    await expect(new Task("OtherFlow/2/start/1", { datastore }).data()).rejects.toThrow(NamespaceMismatchError);
    namespace("user:ada");
    expect((await new Run("OtherFlow/1", { datastore }).info()).runId).toBe("1");
    expect(await new Task("OtherFlow/2/start/1", { datastore }).data()).toEqual({ x: 1 });
    expect(() => namespace("")).toThrow(/namespace\(\) takes a tag/);
  });

  it("adds, removes and replaces user tags, persisted atomically, never touching system tags", async () => {
    await writeForeachRun(datastore, "100", 1000);
    const run = new Run("DemoFlow/100", { datastore });
    expect(await run.addTags("best", "nightly", "user:ada")).toEqual(["nightly", "best"]);
    expect(await run.removeTags("nightly")).toEqual(["best"]);
    expect(await run.replaceTags(["best"], ["final"])).toEqual(["final"]);
    expect(await new Run("DemoFlow/100", { datastore }).tags()).toEqual(["final", "user:ada"]);
    expect(ids(await new Flow("DemoFlow", { datastore }).runs("final"))).toEqual(["100"]);
    await expect(run.removeTags("user:ada")).rejects.toThrow(InvalidTagError);
    await expect(run.removeTags("user:ada")).rejects.toThrow(/system tag/);
    await expect(run.addTags("")).rejects.toThrow(/non-empty strings of at most 500/);
    await expect(run.addTags(...Array.from({ length: 50 }, (_, i) => `t${i}`))).rejects.toThrow(/51 user tags; at most 50/);
    expect(await run.userTags()).toEqual(["final"]);
  });

  it("prints as Kind('pathspec')", async () => {
    const task = new Task("DemoFlow/100/start/1", { datastore });
    expect(String(task)).toBe("Task('DemoFlow/100/start/1')");
    expect(inspect(new Run("DemoFlow/100", { datastore }))).toBe("Run('DemoFlow/100')");
    expect(`${new Flow("DemoFlow", { datastore })}`).toBe("Flow('DemoFlow')");
    expect(inspect([new Step("DemoFlow/100/start", { datastore })])).toBe("[ Step('DemoFlow/100/start') ]");
  });
});
