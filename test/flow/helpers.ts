/** Test helpers for flow tests: a fresh datastore in a temp folder per test. */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Datastore } from "../../src/flow/datastore/datastore.js";

/** A datastore rooted in a new temporary folder. */
export function tempDatastore(): Datastore {
  return new Datastore({ root: mkdtempSync(path.join(tmpdir(), "wbflow-engine-")) });
}

import { loadFlowModule, type CompileOptions } from "./compile-flow.js";

const LEGACY: CompileOptions = { mode: "legacy", useDefineForClassFields: false };

/** Compiles `source` (a module exporting flow classes) and returns the export `name` (default "F"). */
export function flowFrom(source: string, name = "F", options: CompileOptions = LEGACY): any {
  const flow = flowModule(source, options)[name];
  if (!flow) throw new Error(`the fixture exports no ${name}`);
  return flow;
}

/** Compiles `source` with the usual wbflow imports and returns all its exports. */
export function flowModule(source: string, options: CompileOptions = LEGACY): Record<string, any> {
  const header = `import { FlowSpec, step, Parameter, retry, catchFailure, timeout, environment, current, defineStepDecorator } from "wbflow";\n`;
  return loadFlowModule(header + source, options);
}
