/**
 * Which files make up a flow's code: its module and every local file it imports, followed
 * transitively (static and literal dynamic imports, TypeScript or JavaScript). npm packages are not
 * followed: they are the workers' environment. esbuild resolves the imports exactly as a bundler
 * would (tsconfig paths, extensions, index files), so we never guess at module resolution.
 */
import { build } from "esbuild";
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { CodePackageError } from "./errors.js";
import { filesWithSuffixes, type SuffixSelection } from "./suffix-files.js";

/** Project files that change how the code is loaded (module type, decorator mode), packaged when present. */
const PROJECT_FILES = ["package.json", "tsconfig.json"];

/** The sources of one flow's code. */
export interface FlowSources {
  /** Common folder of every file; package paths are relative to it. */
  root: string;
  /** The flow's module, absolute. */
  entry: string;
  /** Every file to package (entry included), absolute, sorted. */
  files: string[];
  /** Those of `files` gathered by suffix (data the code reads, not imports); stored byte for byte. */
  suffixFiles: string[];
}

/** wbflow's own code: a flow must reach it as the package `wbflow`, never by a relative path. */
const WBFLOW_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "..");
const WBFLOW_CODE = [path.join(WBFLOW_ROOT, "src"), path.join(WBFLOW_ROOT, "dist")];

/**
 * Finds the files of the flow module `entryFile`: the module, its local imports, the
 * package.json / tsconfig.json of its project (the nearest folder upward that has a package.json),
 * and the files under the module's folder that `bySuffix` selects.
 * @throws CodePackageError when a file cannot be resolved or parsed, or reaches wbflow or an npm
 *   package through a relative path (a worker would not have that path).
 */
export async function collectFlowSources(entryFile: string, bySuffix?: SuffixSelection): Promise<FlowSources> {
  const entry = path.resolve(entryFile);
  if (!existsSync(entry)) throw new CodePackageError(`The flow's module ${entry} does not exist, so its code cannot be packaged.`);
  const workingDir = path.dirname(entry);
  let metafile;
  try {
    ({ metafile } = await build({
      entryPoints: [entry],
      absWorkingDir: workingDir,
      bundle: true,
      write: false,
      metafile: true,
      packages: "external",
      platform: "node",
      format: "esm",
      logLevel: "silent",
    }));
  } catch (error) {
    throw new CodePackageError(
      `The code of the flow module ${entry} cannot be packaged for workers: ${(error as Error).message.split("\n").slice(0, 4).join(" ")}`,
      { cause: error },
    );
  }
  const imported = Object.keys(metafile.inputs)
    .filter((input) => !/^[a-z-]+:/.test(input)) // esbuild's own namespaces, e.g. "(disabled):"
    .map((input) => path.resolve(workingDir, input));
  for (const file of imported) checkLocal(file, entry);
  const project = projectFolder(entry);
  const extra = project ? PROJECT_FILES.map((name) => path.join(project, name)).filter((file) => existsSync(file)) : [];
  const code = new Set([entry, ...imported, ...extra]);
  const suffixFiles = bySuffix ? (await filesWithSuffixes(workingDir, bySuffix)).filter((file) => !code.has(file)) : [];
  const files = [...code, ...suffixFiles].sort();
  return { root: commonFolder(files), entry, files, suffixFiles };
}

function checkLocal(file: string, entry: string): void {
  if (WBFLOW_CODE.some((folder) => file.startsWith(folder + path.sep))) {
    throw new CodePackageError(
      `The flow module ${entry} imports wbflow's own file ${file} by a relative path. Workers load their installed ` +
        `wbflow; import it by name instead: import { FlowSpec, step } from "wbflow".`,
    );
  }
  if (file.split(path.sep).includes("node_modules")) {
    throw new CodePackageError(
      `The flow module ${entry} imports ${file} from node_modules by a relative path. npm packages are the ` +
        `workers' environment: import the package by its name and install it where the workers run.`,
    );
  }
}

/** The nearest folder at or above the entry's that holds a package.json, if any. */
function projectFolder(entry: string): string | undefined {
  for (let dir = path.dirname(entry); ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, "package.json"))) return dir;
    if (path.dirname(dir) === dir) return undefined;
  }
}

function commonFolder(files: string[]): string {
  let common = path.dirname(files[0]!);
  for (const file of files) {
    while (!(file + path.sep).startsWith(common === path.sep ? common : common + path.sep)) common = path.dirname(common);
  }
  return common;
}
