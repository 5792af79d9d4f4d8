/**
 * Which module file defines a flow class, found from the call stack when its decorators are applied:
 * executors that run attempts in worker processes import that file there. A class defined in a
 * notebook cell or evaluated code has none.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

// This package's own code (source or build) and installed packages are never the defining module.
const PACKAGE_ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const ENGINE_DIRS = [path.join(PACKAGE_ROOT, "src") + path.sep, path.join(PACKAGE_ROOT, "dist") + path.sep];

function locationOf(frame: string): string | undefined {
  const match = /\((.*):\d+:\d+\)$/.exec(frame) ?? /^\s*at (.*):\d+:\d+$/.exec(frame);
  return match?.[1];
}

function isEngine(location: string): boolean {
  return location.startsWith("node:") || location.includes(`${path.sep}node_modules${path.sep}`) || ENGINE_DIRS.some((d) => location.startsWith(d));
}

/**
 * The file at `location`, or the TypeScript source a compiled `.js` path stands for: tslab runs a local
 * `.ts` module a notebook imports from memory, under the name of its `.js` output.
 */
function sourceFileOf(location: string): string | undefined {
  if (existsSync(location)) return location;
  if (!location.endsWith(".js")) return undefined;
  return [".ts", ".tsx", ".mts"].map((ext) => location.slice(0, -3) + ext).find((candidate) => existsSync(candidate));
}

/** The file of the first caller outside the engine, if that caller is code loaded from a file. */
export function callerModuleFile(): string | undefined {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 40;
  const stack = new Error().stack ?? "";
  Error.stackTraceLimit = limit;
  for (const frame of stack.split("\n").slice(1)) {
    let location = locationOf(frame);
    if (location === undefined) return undefined;
    if (location.startsWith("file://")) location = fileURLToPath(location);
    if (isEngine(location)) continue;
    const clean = !frame.includes("eval at") && !location.includes("<anonymous>") && path.isAbsolute(location);
    return clean ? sourceFileOf(location) : undefined;
  }
  return undefined;
}
