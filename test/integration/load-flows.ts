/**
 * Compiles flow sources with the real TypeScript compiler (legacy or standard decorators) and runs
 * them as CommonJS, as tslab runs a notebook cell; `wbflow` and `wbflow/wandb` resolve to this
 * repository's sources.
 */
import { createRequire } from "node:module";
import * as wbflow from "../../src/index.js";
import * as wbflowWandb from "../../src/wandb.js";
import { compileFlowSource, type CompileOptions } from "../flow/compile-flow.js";

export { COMPILE_MODES } from "../flow/compile-flow.js";

const requireFromHere = createRequire(import.meta.url);
const modules: Record<string, unknown> = { wbflow, "wbflow/wandb": wbflowWandb };

/** Compiles and runs a module source; returns its exports. */
export function loadFlows(source: string, options: CompileOptions): Record<string, any> {
  const code = compileFlowSource(source, options);
  const module = { exports: {} as Record<string, any> };
  const require = (name: string): unknown => modules[name] ?? requireFromHere(name);
  new Function("require", "module", "exports", code)(require, module, module.exports);
  return module.exports;
}
