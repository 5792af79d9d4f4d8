/**
 * The model registry: how a trained model is saved as "the model's own files" in a folder and
 * loaded back. Used by the datastore (the "model" codec) and by `@wandb_log({ models: true })`,
 * which logs those files as a W&B model artifact. Knows nothing of flows or W&B.
 *
 * Two ways to make a model type known:
 * 1. Implement the protocol on the class and register the class:
 *    ```ts
 *    class LinearModel {
 *      async saveModel(dir: string) { await writeFile(join(dir, "weights.json"), JSON.stringify(this.w)); }
 *      static async loadModel(dir: string) { return new LinearModel(JSON.parse(await readFile(join(dir, "weights.json"), "utf8"))); }
 *    }
 *    registerModelType(LinearModel);
 *    ```
 * 2. Describe a type you do not own: `registerModelType({ name, matches, save, load })`.
 */
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describeType } from "../describe-type.js";

/** How one kind of model is recognised, saved into a folder and loaded from it. */
export interface ModelType<M = unknown> {
  /** Stored with the model so the right loader is found, e.g. "ml-random-forest/RandomForestClassifier". */
  readonly name: string;
  /** Whether a value is a model of this type. */
  matches(value: unknown): value is M;
  /** Writes the model's own files into `dir` (an empty, existing folder). */
  save(model: M, dir: string): Promise<void>;
  /** Reads a model back from a folder `save` wrote. */
  load(dir: string): Promise<M>;
}

/** An object that can save itself into a folder. */
export interface SavableModel {
  saveModel(dir: string): Promise<void> | void;
}

/** A class whose instances save themselves and which loads them back. */
export interface ModelClass<M extends SavableModel = SavableModel> {
  new (...args: never[]): M;
  loadModel(dir: string): Promise<M> | M;
  /** Name stored with the model; defaults to the class name. Set it when class names may clash. */
  readonly modelTypeName?: string;
}

/** File written beside the model's own files naming its model type. */
export const MODEL_MANIFEST = "wbflow-model.json";

const modelTypes: ModelType[] = [];

/**
 * Registers a model type (or a class implementing `saveModel` / static `loadModel`). Later
 * registrations win when several match; a name registered again replaces the old type.
 */
export function registerModelType<M>(type: ModelType<M> | (ModelClass & (new (...args: never[]) => M))): void {
  const modelType = typeof type === "function" ? typeFromClass(type as ModelClass) : (type as ModelType);
  if (typeof modelType.name !== "string" || modelType.name.length === 0) {
    throw new TypeError("registerModelType: a model type needs a non-empty `name`, stored with every saved model.");
  }
  for (const member of ["matches", "save", "load"] as const) {
    if (typeof modelType[member] !== "function") {
      throw new TypeError(`registerModelType: model type "${modelType.name}" has no ${member}() function.`);
    }
  }
  const existing = modelTypes.findIndex((entry) => entry.name === modelType.name);
  if (existing >= 0) modelTypes.splice(existing, 1);
  modelTypes.unshift(modelType);
}

function typeFromClass(modelClass: ModelClass): ModelType {
  if (typeof modelClass.loadModel !== "function" || typeof modelClass.prototype?.saveModel !== "function") {
    throw new TypeError(
      `registerModelType(${modelClass.name}): the class needs an instance method saveModel(dir) and a ` +
        `static method loadModel(dir), or register { name, matches, save, load } instead.`,
    );
  }
  const type: ModelType<SavableModel> = {
    name: modelClass.modelTypeName ?? modelClass.name,
    matches: (value): value is SavableModel => value instanceof modelClass,
    save: async (model, dir) => { await model.saveModel(dir); },
    load: async (dir) => modelClass.loadModel(dir),
  };
  return type as ModelType;
}

/** The registered model type of a value, or undefined when it is not a known model. */
export function modelTypeFor(value: unknown): ModelType | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  return modelTypes.find((type) => type.matches(value));
}

/** Whether a value is a model of a registered type (what `@wandb_log({ models: true })` logs). */
export function isModel(value: unknown): boolean {
  return modelTypeFor(value) !== undefined;
}

/** Raised when a value is not a registered model, or a saved model's type is not registered. */
export class ModelTypeError extends Error {
  override name = "ModelTypeError";
}

/**
 * Saves a model's own files into `dir` (existing and empty), plus a small manifest naming its type.
 * @returns the model type name.
 */
export async function saveModel(model: unknown, dir: string): Promise<string> {
  const type = modelTypeFor(model);
  if (!type) {
    throw new ModelTypeError(
      `Cannot save a ${describeType(model)} as a model: no model type matches it. ` +
        `Call registerModelType(...) with its class (saveModel/loadModel) or a { name, matches, save, load } description.`,
    );
  }
  await type.save(model, dir);
  await writeFile(join(dir, MODEL_MANIFEST), JSON.stringify({ type: type.name, version: 1 }));
  return type.name;
}

/** Loads a model from a folder written by `saveModel`. */
export async function loadModel(dir: string): Promise<unknown> {
  const manifest = JSON.parse(await readFile(join(dir, MODEL_MANIFEST), "utf8")) as { type: string };
  const type = modelTypes.find((entry) => entry.name === manifest.type);
  if (!type) {
    throw new ModelTypeError(
      `The model in ${dir} was saved as type "${manifest.type}", which is not registered in this process. ` +
        `Import or register that model type (registerModelType) before loading it.`,
    );
  }
  return type.load(dir);
}
