import { createHash } from "node:crypto";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RandomForestClassifier, RandomForestRegression } from "ml-random-forest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  codecFor,
  encodeValue,
  isModel,
  loadModel,
  MODEL_MANIFEST,
  ModelTypeError,
  registerModelType,
  saveModel,
  UnserializableValueError,
} from "../../src/codecs/index.js";
import { modelCodec } from "../../src/codecs/models/model-codec.js";
import { sourceOf } from "./codec-helpers.js";

let workDir: string;
beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), "wbflow-models-"));
  process.env.WBFLOW_FILES_DIR = join(workDir, "materialized");
});
afterAll(async () => {
  delete process.env.WBFLOW_FILES_DIR;
  await rm(workDir, { recursive: true, force: true });
});

/** A user model implementing the save/load protocol. */
class LinearModel {
  constructor(readonly weights: number[], readonly bias: number) {}
  predict(x: number[]): number {
    return x.reduce((sum, xi, i) => sum + xi * this.weights[i]!, this.bias);
  }
  async saveModel(dir: string): Promise<void> {
    await writeFile(join(dir, "weights.json"), JSON.stringify({ weights: this.weights, bias: this.bias }));
  }
  static async loadModel(dir: string): Promise<LinearModel> {
    const { weights, bias } = JSON.parse(await readFile(join(dir, "weights.json"), "utf8")) as { weights: number[]; bias: number };
    return new LinearModel(weights, bias);
  }
}

async function roundTripWithSha(value: object): Promise<{ back: unknown; sha: string }> {
  const source = await sourceOf(await modelCodec.encode(value));
  const sha = createHash("sha256").update(await source.bytes()).digest("hex");
  return { back: await modelCodec.decode({ ...source, sha }), sha };
}

describe("model registry", () => {
  it("refuses a model class until it is registered, then stores it by its own files", async () => {
    const model = new LinearModel([0.5, -1], 2);
    expect(codecFor(model)).toBeUndefined();
    await expect(encodeValue(model)).rejects.toThrow(UnserializableValueError);
    await expect(encodeValue(model)).rejects.toThrow(/class LinearModel.*registerModelType/);

    registerModelType(LinearModel);
    expect(isModel(model)).toBe(true);
    expect(codecFor(model)?.id).toBe("model");
    expect(modelCodec.typeName(model)).toBe("model LinearModel");
    const { back, sha } = await roundTripWithSha(model);
    expect(back).toBeInstanceOf(LinearModel);
    expect((back as LinearModel).predict([1, 1])).toBe(model.predict([1, 1]));
    // Equal models archive to equal bytes, so they are stored once.
    expect((await roundTripWithSha(new LinearModel([0.5, -1], 2))).sha).toBe(sha);
  });

  it("saves the model's own files plus a manifest, and loads them back", async () => {
    registerModelType(LinearModel);
    const dir = await mkdtemp(join(workDir, "save-"));
    expect(await saveModel(new LinearModel([3], 1), dir)).toBe("LinearModel");
    expect((await readdir(dir)).sort()).toEqual([MODEL_MANIFEST, "weights.json"].sort());
    expect(((await loadModel(dir)) as LinearModel).predict([2])).toBe(7);
  });

  it("round-trips ml-random-forest classifiers and regressors with equal predictions", async () => {
    const rows = [[0, 0], [1, 1], [0, 1], [1, 0], [2, 2], [3, 3], [2, 3], [3, 2]];
    const classifier = new RandomForestClassifier({ seed: 7, nEstimators: 8, maxFeatures: 1, noOOB: true });
    classifier.train(rows, [0, 1, 0, 1, 1, 1, 1, 1]);
    const regression = new RandomForestRegression({ seed: 7, nEstimators: 8, maxFeatures: 1, noOOB: true });
    regression.train(rows, [0, 2, 1, 1, 4, 6, 5, 5]);
    for (const forest of [classifier, regression]) {
      expect(codecFor(forest)?.id).toBe("model");
      const { back } = await roundTripWithSha(forest);
      expect(back).toBeInstanceOf(forest.constructor);
      expect((back as typeof forest).predict(rows)).toEqual(forest.predict(rows));
    }
    const dir = await mkdtemp(join(workDir, "forest-"));
    await saveModel(classifier, dir);
    expect((await readdir(dir)).sort()).toEqual(["forest.json", MODEL_MANIFEST]);
  });

  it("explains unknown models and bad registrations", async () => {
    class Unknown {}
    const dir = await mkdtemp(join(workDir, "bad-"));
    await expect(saveModel(new Unknown(), dir)).rejects.toThrow(ModelTypeError);
    await expect(saveModel(new Unknown(), dir)).rejects.toThrow(/class Unknown as a model/);
    await writeFile(join(dir, MODEL_MANIFEST), JSON.stringify({ type: "someone/Else", version: 1 }));
    await expect(loadModel(dir)).rejects.toThrow(/saved as type "someone\/Else", which is not registered/);
    class NoLoader { saveModel(): void {} }
    expect(() => registerModelType(NoLoader as never)).toThrow(/static method loadModel/);
    expect(() => registerModelType({ name: "", matches: () => false, save: async () => {}, load: async () => ({}) } as never)).toThrow(/non-empty `name`/);
  });

  it("removes its working folder once the archive has been read", async () => {
    registerModelType(LinearModel);
    const savedTmp = process.env.TMPDIR;
    process.env.TMPDIR = await mkdtemp(join(workDir, "tmp-"));
    try {
      const encoded = await modelCodec.encode(new LinearModel([1], 0));
      expect(await readdir(tmpdir())).toHaveLength(1);
      await sourceOf(encoded);
      expect(await readdir(tmpdir())).toEqual([]);
    } finally {
      if (savedTmp === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = savedTmp;
    }
  });
});
