/**
 * Makes `import ... from "wbflow"` (and its subpaths) in a flow module loaded by a worker mean this very
 * copy of wbflow, whether or not the module's folder has wbflow installed: a notebook's folder often
 * has not (the kernel links the package for its cells). One copy matters: `current`, the codec and
 * model registries live in module state. ES modules through a resolve hook, CommonJS (a `.ts` file
 * outside a `"type": "module"` package, through tsx) through the CommonJS resolver.
 */
import Module, { createRequire, register } from "node:module";

const PACKAGE_JSON = new URL("../../../../package.json", import.meta.url);

function isWbflow(specifier: string): boolean {
  return specifier === "wbflow" || specifier.startsWith("wbflow/");
}

/** Links `wbflow` for every module this process loads from now on. */
export function linkWbflow(): void {
  register(new URL("./wbflow-resolve-hook.js", import.meta.url), { data: { packageJson: PACKAGE_JSON.href } });
  const fromPackage = createRequire(PACKAGE_JSON);
  const resolver = Module as unknown as { _resolveFilename(request: string, ...rest: unknown[]): string };
  const original = resolver._resolveFilename;
  let resolving = false; // fromPackage.resolve comes back through here
  resolver._resolveFilename = function (request: string, ...rest: unknown[]): string {
    if (!isWbflow(request) || resolving) return original.call(this, request, ...rest);
    resolving = true;
    try {
      return fromPackage.resolve(request);
    } finally {
      resolving = false;
    }
  };
}
