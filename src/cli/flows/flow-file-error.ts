/**
 * One clear line for a flow file that cannot be imported, instead of a stack trace: a syntax error
 * (with its line and column) or an exception its top-level code threw (with the line it came from).
 */
import path from "node:path";
import { pathToFileURL } from "node:url";

/** A flow file that could not be imported. The message says where and what to do. */
export class FlowFileError extends Error {
  override name = "FlowFileError";
}

/** esbuild's error shape (tsx compiles TypeScript files with it). */
interface TransformFailure {
  errors?: Array<{ text?: string; location?: { line: number; column: number } | null }>;
}

/** Turns an error from importing `file` (absolute) into a FlowFileError. */
export function flowFileError(file: string, error: unknown): FlowFileError {
  const failure = error as Error & TransformFailure;
  const first = Array.isArray(failure?.errors) ? failure.errors[0] : undefined;
  if (first) {
    const at = first.location ? ` at line ${first.location.line}, column ${first.location.column + 1}` : "";
    return syntaxError(file, at, first.text ?? failure.message);
  }
  // The same error after crossing tsx's loader thread: only its message is left.
  const transform = failure?.name === "TransformError" ? /:(\d+):(\d+): ERROR: (.*)/.exec(failure.message) : null;
  if (transform) return syntaxError(file, ` at line ${transform[1]}, column ${Number(transform[2]) + 1}`, transform[3]!);
  const missing = missingModule(error);
  if (missing !== undefined) return missingModuleError(file, missing);
  const line = lineIn(file, error instanceof Error ? error.stack : undefined);
  // Node's own parse errors (JavaScript files) have no stack frame in the file; thrown ones do.
  if (error instanceof SyntaxError && line === undefined) return syntaxError(file, "", error.message);
  const thrown = error instanceof Error ? `${error.name}: ${oneLine(error.message)}` : oneLine(String(error));
  return new FlowFileError(
    `${file} threw while it was being loaded${line ? ` (line ${line})` : ""}: ${thrown}. ` +
      `Its top-level code runs when wbflow imports it; fix that code and run again.`,
  );
}

function syntaxError(file: string, at: string, text: string): FlowFileError {
  return new FlowFileError(`${file} has a syntax error${at}: ${oneLine(text)}. Fix it and run again.`);
}

/** The module an import could not find (Node's CommonJS and ES module loaders say it differently). */
function missingModule(error: unknown): string | undefined {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  if (code !== "MODULE_NOT_FOUND" && code !== "ERR_MODULE_NOT_FOUND") return undefined;
  return /Cannot find (?:module|package) '([^']+)'/.exec(String(message))?.[1];
}

/** A missing package is installed, a missing local file is a path to fix: not "top-level code" to change. */
function missingModuleError(file: string, specifier: string): FlowFileError {
  const local = specifier.startsWith(".") || path.isAbsolute(specifier);
  const fix = local
    ? `No such file: check the import's path (relative to the file that imports it).`
    : `Install it in the flow's folder (npm install ${packageName(specifier)}) or fix the import.`;
  return new FlowFileError(`${file} could not be loaded: its import of '${specifier}' (or that of a file it imports) cannot be found. ${fix}`);
}

/** `@scope/name` or `name` of a bare import like `@scope/name/sub` or `name/sub`. */
function packageName(specifier: string): string {
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0]!;
}

/** The line of the first stack frame inside `file`, if any. */
function lineIn(file: string, stack: string | undefined): string | undefined {
  const frame = new RegExp(`(?:${escape(file)}|${escape(pathToFileURL(file).href)}):(\\d+):\\d+`).exec(stack ?? "");
  return frame?.[1];
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, " ").trim().replace(/\.$/, "");
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
