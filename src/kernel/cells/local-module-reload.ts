/**
 * Editing a file that a notebook's local module imports, then re-running the import cell: tslab
 * compiles the edited file again and drops its cached module, but the modules importing it stay
 * cached with the old one inside (`import { TrainFlow } from "./train_flow"` kept the old
 * `./helpers`), so the kernel ran stale code while worker processes ran the new file. Here every
 * local module that imports a changed one, directly or not, is handed back to tslab as changed too,
 * so it is evaluated afresh at its next import.
 */
import path from "node:path";
import type { Converter } from "./tslab-internals.js";

type SideOutput = NonNullable<ReturnType<Converter["convert"]>["sideOutputs"]>[number];

/** `require("./x")` / `require("../y/z")` in a compiled local module (tslab's CommonJS output). */
const LOCAL_REQUIRE = /\brequire\(\s*["'](\.{1,2}\/[^"']+)["']\s*\)/g;

/** The compiled files `data` (the output at `file`) requires, named as tslab names its outputs. */
function localRequires(file: string, data: string): string[] {
  return [...data.matchAll(LOCAL_REQUIRE)].map((match) => {
    const required = path.posix.join(path.posix.dirname(file), match[1]!);
    return path.posix.extname(required) === "" ? `${required}.js` : required;
  });
}

/** The known outputs that import one of `changed`, directly or through others (not `changed` itself). */
function dependentsOf(changed: ReadonlySet<string>, known: ReadonlyMap<string, string[]>): string[] {
  const stale = new Set(changed);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [file, requires] of known) {
      if (!stale.has(file) && requires.some((r) => stale.has(r))) {
        stale.add(file);
        grew = true;
      }
    }
  }
  return [...stale].filter((file) => !changed.has(file));
}

/** Makes `converter` report the importers of a recompiled local module as recompiled too. */
export function reloadImportersOfChangedModules(converter: Converter): Converter {
  const code = new Map<string, string>();
  const requires = new Map<string, string[]>();
  const convert = converter.convert.bind(converter);
  converter.convert = (prevDecl, src) => {
    const converted = convert(prevDecl, src);
    if (!converted.sideOutputs?.length) return converted;
    for (const output of converted.sideOutputs) {
      code.set(output.path, output.data);
      requires.set(output.path, localRequires(output.path, output.data));
    }
    const importers = dependentsOf(new Set(converted.sideOutputs.map((o) => o.path)), requires);
    if (importers.length === 0) return converted;
    const again: SideOutput[] = importers.map((file) => ({ path: file, data: code.get(file)! }));
    return { ...converted, sideOutputs: [...converted.sideOutputs, ...again] };
  };
  return converter;
}
