/**
 * The copy of a library (arquero, apache-arrow) that the user's own code imports: the one the
 * current folder resolves, which may be another version than wbflow's. Tables are loaded back as
 * that copy's type, so `instanceof` in the user's code holds.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";

const loaded = new Map<string, Promise<unknown>>();

/** The ES module entry of `name` as resolved from the current folder, or undefined when it resolves nowhere. */
export function userModuleEntry(name: string, from = process.cwd()): string | undefined {
  let resolved: string;
  try {
    resolved = createRequire(path.join(from, "noop.js")).resolve(name);
  } catch {
    return undefined;
  }
  const root = packageRootOf(resolved, name);
  if (!root) return resolved;
  const manifest = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as {
    exports?: { "."?: { node?: { import?: { default?: string } }; import?: { default?: string } } };
    module?: string;
    type?: string;
    main?: string;
  };
  const dot = manifest.exports?.["."];
  const esm = dot?.node?.import?.default ?? dot?.import?.default ?? manifest.module;
  return esm ? path.join(root, esm) : resolved;
}

/** The folder of the package `name` that holds `file`. */
function packageRootOf(file: string, name: string): string | undefined {
  const marker = `${path.sep}node_modules${path.sep}${name.split("/").join(path.sep)}${path.sep}`;
  const at = file.lastIndexOf(marker);
  return at < 0 ? undefined : file.slice(0, at + marker.length - 1);
}

/** The user's copy of `name` (imported once per folder), or undefined when the folder resolves none. */
export async function userCopyOf<T>(name: string): Promise<T | undefined> {
  const entry = userModuleEntry(name);
  if (!entry) return undefined;
  let copy = loaded.get(entry);
  if (!copy) {
    copy = import(pathToFileURL(entry).href).catch(() => undefined);
    loaded.set(entry, copy);
  }
  return (await copy) as T | undefined;
}
