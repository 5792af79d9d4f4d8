/**
 * Importing a flow class from an unpacked code package in a worker. TypeScript goes through tsx
 * registered once for the whole process, not `tsImport`: tsImport loads everything the module
 * imports in a namespace of its own, so the flow's `import ... from "wbflow"` would get a second
 * copy of the engine, whose `current` and step registry the worker's engine never sees.
 */
import { pathToFileURL } from "node:url";
import { isFlowClass } from "../../define/spec.js";
import { CodePackageError } from "../../datastore/code-package/errors.js";

let tsxRegistered: Promise<unknown> | undefined;

/** Imports `file` (.ts through tsx) and returns its exported flow class named `flowName`. */
export async function importPackagedFlow(file: string, flowName: string): Promise<Function> {
  if (/\.(c|m)?tsx?$/.test(file)) {
    tsxRegistered ??= import("tsx/esm/api").then(({ register }) => register());
    await tsxRegistered;
  }
  const exports = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  const found = [exports[flowName], ...Object.values(exports)].find((value) => isFlowClass(value) && value.name === flowName);
  if (!found) {
    throw new CodePackageError(
      `The run's code package (${file}) exports no flow class named ${flowName}; workers load flows by their export. ` +
        `Export it (export class ${flowName} ...) and run again.`,
    );
  }
  return found as Function;
}
