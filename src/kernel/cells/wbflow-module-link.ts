/**
 * Makes `import ... from "wbflow"` (and `"wbflow/wandb"`, `"wbflow/kernel"`) in a notebook cell mean the copy of wbflow
 * that runs the kernel, wherever the notebook lives — for tslab's type checker and at run time —
 * the way tslab does it for `import * as tslab from "tslab"`.
 *
 * Same instance matters: the kernel listens to flow events and renders runs through the very
 * modules the notebook's flows are defined with.
 *
 * - Types: tslab's compiler resolves modules the Node10 way (no `exports` maps) through its shared
 *   `ts.sys`. We forward `<cwd>/node_modules/wbflow/<file>` to `<package>/dist/<file>` and answer its
 *   package.json with `types: index.d.ts`, so `wbflow` and its subpaths resolve.
 * - Run time: cells call `__tslab__.require`; we wrap it so `wbflow[/...]` resolves from the package
 *   itself (its `exports` map; ESM loaded through `require(esm)`, the same module instances).
 */
import Module, { createRequire } from "node:module";
import path from "node:path";
import { tslabTypeScript } from "./tslab-internals.js";

const PACKAGE_NAME = "wbflow";

type Sys = typeof tslabTypeScript.sys;

/** Forwards type lookups of `<cwd>/node_modules/wbflow/**` to `packageRoot`. Call before creating converters. */
export function linkWbflowTypes(cwd: string, packageRoot: string): void {
  const nodeModules = path.join(cwd, "node_modules");
  const virtualRoot = path.join(nodeModules, PACKAGE_NAME);
  const sys: Sys = tslabTypeScript.sys;
  const virtualPackageJson = path.join(virtualRoot, "package.json");
  const manifest = JSON.stringify({ name: PACKAGE_NAME, types: "index.d.ts" });
  const forward = (file: string): string | undefined => {
    // The TypeScript service asks about thousands of paths per cell: reject the rest cheaply.
    if (!file.startsWith(virtualRoot)) return undefined;
    const relative = path.relative(virtualRoot, path.resolve(file));
    if (relative.startsWith("..") || path.isAbsolute(relative)) return undefined;
    return path.join(packageRoot, "dist", relative);
  };
  const { fileExists, readFile, directoryExists } = sys;
  sys.fileExists = (file) => file === virtualPackageJson || fileExists.call(sys, forward(file) ?? file);
  sys.readFile = (file, encoding) => (file === virtualPackageJson ? manifest : readFile.call(sys, forward(file) ?? file, encoding));
  sys.directoryExists = (dir) => {
    if (dir === nodeModules || dir === `${nodeModules}/`) return true;
    return directoryExists.call(sys, forward(dir) ?? dir);
  };
}

interface TslabGlobal {
  __tslab__?: { require: NodeJS.Require };
}

/** Wraps the `require` cells use so `wbflow` and its subpaths load from `packageRoot`. Call after creating the executor. */
export function linkWbflowRuntime(packageRoot: string): void {
  const holder = (globalThis as TslabGlobal).__tslab__;
  if (!holder) throw new Error("tslab's executor was not created: globalThis.__tslab__ is missing");
  const cellRequire = holder.require;
  const packageRequire = createRequire(path.join(packageRoot, "package.json"));
  holder.require = new Proxy(cellRequire, {
    apply(target, thisArg, args: unknown[]) {
      const id = args[0];
      if (args.length === 1 && typeof id === "string" && (id === PACKAGE_NAME || id.startsWith(`${PACKAGE_NAME}/`))) {
        return packageRequire(id);
      }
      return Reflect.apply(target, thisArg, args);
    },
  });
  // A local module a cell imports (tslab compiles it and loads it with its own require, e.g. a flow
  // written with %%writefile) gets the same copy through Node's resolver.
  const resolver = Module as unknown as { _resolveFilename(request: string, ...rest: unknown[]): string };
  const resolveFilename = resolver._resolveFilename;
  let resolving = false; // packageRequire.resolve comes back through here
  resolver._resolveFilename = function (request: string, ...rest: unknown[]): string {
    const linked = request === PACKAGE_NAME || request.startsWith(`${PACKAGE_NAME}/`);
    if (!linked || resolving) return resolveFilename.call(this, request, ...rest);
    resolving = true;
    try {
      return packageRequire.resolve(request);
    } finally {
      resolving = false;
    }
  };
}
