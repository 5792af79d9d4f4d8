/**
 * Compiles flow sources with the real TypeScript compiler, in either decorator convention, and runs
 * the output as CommonJS (what tslab does with a notebook cell). `import ... from "wbflow"` resolves
 * to this repository's source.
 */
import { createRequire } from "node:module";
import ts from "typescript";
import * as wbflow from "../../src/index.js";

/** Legacy `experimentalDecorators` (tslab) or standard ECMAScript decorators. */
export type DecoratorMode = "legacy" | "standard";

/** How to compile a fixture. */
export interface CompileOptions {
  mode: DecoratorMode;
  useDefineForClassFields?: boolean;
  target?: ts.ScriptTarget;
}

/** Every combination the tests run flows under. */
export const COMPILE_MODES: Array<CompileOptions & { label: string }> = [
  { label: "legacy decorators", mode: "legacy", useDefineForClassFields: false },
  { label: "legacy decorators + define fields", mode: "legacy", useDefineForClassFields: true },
  { label: "standard decorators", mode: "standard", useDefineForClassFields: true },
  { label: "standard decorators, no define fields", mode: "standard", useDefineForClassFields: false },
];

const requireFromHere = createRequire(import.meta.url);

/** Transpiles a TypeScript module to CommonJS JavaScript; throws on syntax errors. */
export function compileFlowSource(source: string, options: CompileOptions): string {
  const output = ts.transpileModule(source, {
    reportDiagnostics: true,
    compilerOptions: {
      module: ts.ModuleKind.CommonJS,
      target: options.target ?? ts.ScriptTarget.ES2022,
      experimentalDecorators: options.mode === "legacy",
      useDefineForClassFields: options.useDefineForClassFields ?? true,
      esModuleInterop: true,
    },
  });
  const errors = (output.diagnostics ?? []).filter((d) => d.category === ts.DiagnosticCategory.Error);
  if (errors.length > 0) {
    throw new Error(errors.map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n")).join("\n"));
  }
  return output.outputText;
}

/** Compiles and runs a module source; returns its exports. */
export function loadFlowModule(source: string, options: CompileOptions): Record<string, any> {
  const code = compileFlowSource(source, options);
  const module = { exports: {} as Record<string, any> };
  const require = (name: string): unknown => (name === "wbflow" ? wbflow : requireFromHere(name));
  new Function("require", "module", "exports", code)(require, module, module.exports);
  return module.exports;
}
