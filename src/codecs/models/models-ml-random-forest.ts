/**
 * Built-in model type for ml-random-forest (pure JS, JSON save/load): classifiers and regressors are
 * saved as `forest.json` (their `toJSON()`), loaded with the class's static `load`. The library is
 * imported only when a forest is loaded, so wbflow does not load it for users who never use it.
 */
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { ModelType } from "./models.js";

interface Forest {
  toJSON(): unknown;
  predict(rows: number[][]): number[];
}

const FILE = "forest.json";

function forestType(className: "RandomForestClassifier" | "RandomForestRegression"): ModelType<Forest> {
  return {
    name: `ml-random-forest/${className}`,
    // Recognised by class name and shape, so matching does not import the library.
    matches: (value): value is Forest =>
      typeof value === "object" && value !== null && value.constructor?.name === className &&
      typeof (value as Partial<Forest>).toJSON === "function" && typeof (value as Partial<Forest>).predict === "function",
    save: async (forest, dir) => writeFile(join(dir, FILE), JSON.stringify(forest.toJSON())),
    load: async (dir) => {
      const library = (await import("ml-random-forest")) as unknown as Record<string, { load(json: unknown): Forest }>;
      return library[className]!.load(JSON.parse(await readFile(join(dir, FILE), "utf8")));
    },
  };
}

export const randomForestClassifierType = forestType("RandomForestClassifier");
export const randomForestRegressionType = forestType("RandomForestRegression");
