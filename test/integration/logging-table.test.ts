/**
 * The documentation's "logging behaviour" table row by row, and the table of what gets
 * logged (parameters, basic values, datasets, models, others), read back from offline storage.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { tableFromArrays } from "apache-arrow";
import { afterEach, describe, expect, test } from "vitest";
import { FilePath } from "../../src/codecs/index.js";
import { artifactMissing, LINEAR_MODEL, runNamed, runsByName, userSummary, LEGACY } from "./fixtures.js";
import { loadFlows } from "./load-flows.js";
import { workspace, type Workspace } from "./workspace.js";

let ws: Workspace;
afterEach(() => ws.restore());

describe("the documentation's logging behaviour table", () => {
  const flowSource = (datasets: boolean) => `
import { FlowSpec, step } from "wbflow";
import { wandb_log } from "wbflow/wandb";
import * as aq from "arquero";
export class TableFlow extends FlowSpec {
  @wandb_log({ datasets: ${datasets} })
  @step start() {
    const accuracy = 0.75;                    // local float: never logged
    const df = aq.table({ local: [1] });      // local table: never logged
    this.accuracy = 0.93;                     // instance float: summary
    this.df = aq.table({ a: [1, 2, 3], b: ["x", "y", "z"] });
    this.next(this.end);
  }
  @step end() {}
}`;

  test("instance float → summary; datasets: true table → dataset artifact; locals never", async () => {
    ws = workspace("TableFlow");
    const { TableFlow } = loadFlows(flowSource(true), LEGACY);
    await TableFlow.run({}, { datastore: ws.datastore });
    const start = runNamed(await runsByName(ws, "TableFlow"), "start/1");
    expect(userSummary(start)).toEqual({ accuracy: 0.93 });
    const df = await ws.api.artifact("df:latest");
    expect(df).toMatchObject({
      type: "dataset",
      version: "v0",
      metadata: {
        shape: [3, 2],
        schema: [
          { name: "a", type: "Int8", nullable: true },
          { name: "b", type: expect.stringContaining("Utf8"), nullable: true },
        ],
      },
    });
    const loaded = (await df.load()) as import("arquero").ColumnTable;
    expect(loaded.objects()).toEqual([{ a: 1, b: "x" }, { a: 2, b: "y" }, { a: 3, b: "z" }]);
    expect(await artifactMissing(ws, "accuracy:latest")).toBe(true);
    expect(await artifactMissing(ws, "local:latest")).toBe(true);
  });

  test("datasets: false table → nothing at all; the float still goes to the summary", async () => {
    ws = workspace("TableFlow");
    const { TableFlow } = loadFlows(flowSource(false), LEGACY);
    await TableFlow.run({}, { datastore: ws.datastore });
    const start = runNamed(await runsByName(ws, "TableFlow"), "start/1");
    expect(userSummary(start)).toEqual({ accuracy: 0.93 });
    expect(await artifactMissing(ws, "df:latest")).toBe(true);
    expect(ws.lines.filter((line) => line.includes(" df"))).toEqual([]);
  });
});

describe("what gets logged, by kind", () => {
  test("parameters → config; basic values → summary, converted as documented", async () => {
    ws = workspace("KindsFlow");
    const { KindsFlow } = loadFlows(
      `
import { FlowSpec, step, Parameter } from "wbflow";
import { wandb_log } from "wbflow/wandb";
@wandb_log
export class KindsFlow extends FlowSpec {
  lr = Parameter("lr", { default: 0.01 });
  numEpochs = Parameter("epochs", { default: 3 });
  name = Parameter("name", { default: "baseline" });
  @step start() {
    this.n = 42;
    this.text = "héllo";
    this.flag = true;
    this.nothing = null;
    this.small = 12n;
    this.huge = 2n ** 70n;
    this.obj = { a: 1, nested: { b: [1, 2] } };
    this.list = [1, "two", null];
    this.tags = new Set(["b", "a", "b"]);
    this.byName = new Map([["x", 1], ["y", 2]]);
    this.byObject = new Map([[{ id: 1 }, "first"]]);
    this.when = new Date("2025-01-02T03:04:05.000Z");
    this.notANumber = NaN;
    this.next(this.end);
  }
  @step end() {}
}`,
      LEGACY,
    );
    await KindsFlow.run({ lr: 0.1 }, { datastore: ws.datastore });
    const start = runNamed(await runsByName(ws, "KindsFlow"), "start/1");
    expect(start.config).toEqual({ lr: 0.1, epochs: 3, name: "baseline" });
    expect(userSummary(start)).toEqual({
      n: 42,
      text: "héllo",
      flag: true,
      nothing: null,
      small: 12,
      huge: "1180591620717411303424",
      obj: { a: 1, nested: { b: [1, 2] } },
      list: [1, "two", null],
      tags: ["b", "a"],
      byName: { x: 1, y: 2 },
      byObject: [[{ id: 1 }, "first"]],
      when: "2025-01-02T03:04:05.000Z",
      notANumber: NaN,
    });
  });

  test("datasets: arquero and Arrow tables, a file, a folder and a file: URL", async () => {
    ws = workspace("DataFlow");
    const dataDir = path.join(ws.dir, "inputs");
    mkdirSync(path.join(dataDir, "images"), { recursive: true });
    writeFileSync(path.join(dataDir, "train.csv"), "x,y\n1,2\n");
    writeFileSync(path.join(dataDir, "images", "a.txt"), "A");
    writeFileSync(path.join(dataDir, "images", "b.txt"), "B");
    (globalThis as Record<string, unknown>).__dataDir = dataDir;
    // Built here (ESM apache-arrow): the CommonJS copy a compiled cell would require is a second
    // apache-arrow whose tables the ESM IPC writer cannot serialize (a codecs-level dual-package issue).
    (globalThis as Record<string, unknown>).__arrowTable = tableFromArrays({ k: Int32Array.from([7, 8, 9]) });
    const { DataFlow } = loadFlows(
      `
import { FlowSpec, step, FilePath } from "wbflow";
import { wandb_log } from "wbflow/wandb";
import * as aq from "arquero";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
@wandb_log({ datasets: true })
export class DataFlow extends FlowSpec {
  @step start() {
    const dir = (globalThis as any).__dataDir;
    this.aq_table = aq.table({ v: [1.5, 2.5] });
    this.arrow_table = (globalThis as any).__arrowTable;
    this.csv = new FilePath(join(dir, "train.csv"));
    this.images = new FilePath(join(dir, "images"));
    this.csv_url = pathToFileURL(join(dir, "train.csv"));
    this.next(this.end);
  }
  @step end() {}
}`,
      LEGACY,
    );
    await DataFlow.run({}, { datastore: ws.datastore });
    const aqTable = await ws.api.artifact("aq_table:v0");
    expect(aqTable).toMatchObject({ type: "dataset", metadata: { shape: [2, 1], wbflow: { form: "table", library: "arquero" } } });
    expect(((await aqTable.load()) as import("arquero").ColumnTable).array("v")).toEqual([1.5, 2.5]);
    const arrowTable = await ws.api.artifact("arrow_table:v0");
    expect(arrowTable.files().map((f) => f.path)).toEqual(["arrow_table.parquet"]);
    expect([...((await arrowTable.load()) as import("apache-arrow").Table).getChild("k")!]).toEqual([7, 8, 9]);
    const csv = await ws.api.artifact("csv:v0");
    expect(csv.files().map((f) => f.path)).toEqual(["train.csv"]);
    const loadedCsv = (await csv.load()) as FilePath;
    expect(loadedCsv).toBeInstanceOf(FilePath);
    expect(path.basename(loadedCsv.path)).toBe("train.csv");
    const images = await ws.api.artifact("images:v0");
    expect(images.files().map((f) => f.path)).toEqual(["images/a.txt", "images/b.txt"]);
    const csvUrl = await ws.api.artifact("csv_url:v0");
    expect(csvUrl.digest).toBe(csv.digest);
  });

  test("models: a registered model type is logged as its own files and loads back", async () => {
    ws = workspace("ModelFlow");
    const exports = loadFlows(
      `
import { FlowSpec, step } from "wbflow";
import { wandb_log } from "wbflow/wandb";
${LINEAR_MODEL}
@wandb_log({ models: true })
export class ModelFlow extends FlowSpec {
  @step start() { this.clf = new LinearModel([0.5, -1]); this.next(this.end); }
  @step end() {}
}`,
      LEGACY,
    );
    await exports.ModelFlow.run({}, { datastore: ws.datastore });
    const clf = await ws.api.artifact("clf:latest");
    expect(clf).toMatchObject({ type: "model", version: "v0", metadata: { wbflow: { form: "model", modelType: "LinearModel" } } });
    const loaded = await clf.load();
    expect(loaded).toBeInstanceOf(exports.LinearModel);
    expect(loaded).toMatchObject({ w: [0.5, -1] });
  });

  test("models: a real JS library model (ml-random-forest) round-trips through its artifact", async () => {
    ws = workspace("ForestFlow");
    const { ForestFlow } = loadFlows(
      `
import { FlowSpec, step } from "wbflow";
import { wandb_log } from "wbflow/wandb";
import { RandomForestClassifier } from "ml-random-forest";
@wandb_log({ models: true })
export class ForestFlow extends FlowSpec {
  @step start() {
    const X = [[0, 0], [0, 1], [1, 0], [1, 1], [0.9, 0.9], [0.1, 0.2]];
    const y = [0, 0, 1, 1, 1, 0];
    const clf = new RandomForestClassifier({ nEstimators: 5, seed: 3, maxFeatures: 1, noOOB: true });
    clf.train(X, y);
    this.clf = clf;
    this.predicted = clf.predict(X);
    this.next(this.end);
  }
  @step end() {}
}`,
      LEGACY,
    );
    await ForestFlow.run({}, { datastore: ws.datastore });
    const start = runNamed(await runsByName(ws, "ForestFlow"), "start/1");
    const clf = await ws.api.artifact("clf:v0");
    expect(clf.type).toBe("model");
    const loaded = (await clf.load()) as { predict(x: number[][]): number[] };
    expect(loaded.predict([[0, 0], [0, 1], [1, 0], [1, 1], [0.9, 0.9], [0.1, 0.2]])).toEqual(start.summary["predicted"]);
  });

  test("others: anything a codec can serialize, as {name}.bin plus {name}.json (up to 8 MiB)", async () => {
    ws = workspace("OtherFlow");
    const { OtherFlow } = loadFlows(
      `
import { FlowSpec, step } from "wbflow";
import { wandb_log } from "wbflow/wandb";
@wandb_log({ others: true })
export class OtherFlow extends FlowSpec {
  @step start() {
    this.weights = new Float64Array([0.25, 0.5]);
    this.big = new Float64Array(1_200_000).fill(1);   // 9.6 MB encoded: no JSON view
    const cyclic: any = { name: "loop" };
    cyclic.self = cyclic;
    this.cyclic = cyclic;
    this.next(this.end);
  }
  @step end() {}
}`,
      LEGACY,
    );
    await OtherFlow.run({}, { datastore: ws.datastore });
    const weights = await ws.api.artifact("weights:v0");
    expect(weights).toMatchObject({ type: "other", metadata: { wbflow: { form: "encoded", codec: "v8" } } });
    expect(weights.files().map((f) => f.path)).toEqual(["weights.bin", "weights.json"]);
    expect(await weights.load()).toEqual(new Float64Array([0.25, 0.5]));
    expect((await ws.api.artifact("big:v0")).files().map((f) => f.path)).toEqual(["big.bin"]);
    const cyclic = await ws.api.artifact("cyclic:v0");
    expect(cyclic.files().map((f) => f.path)).toEqual(["cyclic.bin"]);
    const loaded = (await cyclic.load()) as { name: string; self: unknown };
    expect(loaded.self).toBe(loaded);
  });
});
