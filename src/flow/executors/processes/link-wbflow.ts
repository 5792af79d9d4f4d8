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
  const internals = Module as unknown as ModuleInternals;
  const original = internals._resolveFilename;
  // Node's own loader of .js files, before a TypeScript loader (tsx) replaces it: tsx would compile
  // wbflow's ES modules into a second, CommonJS copy for a CommonJS flow module (a .ts file in a folder
  // without `"type": "module"`, as a notebook's), with its own `current` and registries. Node's loads
  // them with require(esm): the very module instances this process runs.
  const loadJs = internals._extensions[".js"]!;
  let resolving = false; // fromPackage.resolve comes back through here
  internals._resolveFilename = function (request: string, ...rest: unknown[]): string {
    if (!isWbflow(request) || resolving) return original.call(this, request, ...rest);
    resolving = true;
    try {
      const file = fromPackage.resolve(request);
      if (file.endsWith(".js") && !internals._cache[file]) {
        const loaded = new Module(file);
        loaded.filename = file;
        loadJs(loaded, file);
        loaded.loaded = true;
        internals._cache[file] = loaded;
      }
      return file;
    } finally {
      resolving = false;
    }
  };
}

/** The parts of Node's CommonJS loader this link uses. */
interface ModuleInternals {
  _resolveFilename(request: string, ...rest: unknown[]): string;
  _extensions: Record<string, (module: Module, file: string) => void>;
  _cache: Record<string, Module>;
}
