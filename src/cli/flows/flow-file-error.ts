/**
 * One clear line for a flow file that cannot be imported, instead of a stack trace: a syntax error
 * (with its line and column) or an exception its top-level code threw (with the line it came from).
 */
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
