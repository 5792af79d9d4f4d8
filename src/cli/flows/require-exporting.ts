/**
 * The CommonJS side of export-hook.ts: a .ts file in a folder without `"type": "module"` is loaded
 * by tsx's CommonJS loader, which no module load hook sees. Its classes defined without `export` are
 * reached by loading it once more with `Object.assign(module.exports, { A, B })` appended to its
 * compiled code. No file is written.
 */
import Module, { createRequire } from "node:module";

interface CommonJsInternals {
  _cache: Record<string, unknown>;
  prototype: { _compile(this: unknown, code: string, filename: string): unknown };
}

const internals = Module as unknown as CommonJsInternals;

/**
 * `code` with `names` added to `module.exports` at its end. tsx wraps a compiled file's code in
 * `(()=>{ ... })()` (then a source map comment, which has no braces), so the line goes inside it,
 * where the classes are in scope.
 */
function withExports(code: string, names: readonly string[]): string {
  const line = `\n;Object.assign(module.exports, { ${names.join(", ")} });\n`;
  const footer = code.lastIndexOf("})()");
  return footer === -1 ? code + line : code.slice(0, footer) + line + code.slice(footer);
}

/** Whether `file` (absolute) was loaded as CommonJS in this process. */
export function loadedAsCommonJs(file: string): boolean {
  return file in internals._cache;
}

/** Loads `file` (absolute) again as CommonJS with the classes `names` added to its exports. */
export function requireExporting(file: string, names: readonly string[]): Record<string, unknown> {
  const compile = internals.prototype._compile;
  internals.prototype._compile = function (code: string, filename: string) {
    return compile.call(this, filename === file ? withExports(code, names) : code, filename);
  };
  delete internals._cache[file];
  try {
    return createRequire(file)(file) as Record<string, unknown>;
  } finally {
    internals.prototype._compile = compile;
  }
}
