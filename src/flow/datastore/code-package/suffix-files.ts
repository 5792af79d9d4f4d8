/**
 * Files a flow reads at run time rather than imports (configs, small data, prompts), added to its
 * code package by suffix, as Metaflow's `--package-suffixes` does: every file under the flow
 * module's folder whose name ends with one of the suffixes. Folders that are never code are
 * skipped: node_modules, hidden folders (the code cache among them) and the run's datastore.
 */
import type { Dirent } from "node:fs";
import { readdir, realpath, stat } from "node:fs/promises";
import path from "node:path";
import { CodePackageError } from "./errors.js";

/** What a package may gather by suffix: it is one file in the datastore, read by every worker. */
export const SUFFIX_FILES_LIMIT = { files: 2000, bytes: 64 * 1024 * 1024 };

/** Which extra files to package. */
export interface SuffixSelection {
  /** File name endings, each starting with ".", e.g. [".json", ".csv"]. */
  suffixes: readonly string[];
  /** Folders never searched (the datastore's root, when it lies inside the flow's folder). */
  exclude?: readonly string[];
}

/** Checks the suffixes a user gave; returns them unchanged. */
export function checkPackageSuffixes(suffixes: readonly string[]): readonly string[] {
  for (const suffix of suffixes) {
    if (!/^\.[^/\\\0]+$/.test(suffix)) {
      throw new CodePackageError(`Package suffix ${JSON.stringify(suffix)} is not a file name ending: give ones like .json or .csv.`);
    }
  }
  return suffixes;
}

/**
 * Every file under `folder` whose name ends with one of the suffixes, absolute and sorted. Symbolic
 * links are followed (a data folder or config linked in from elsewhere is what the step reads), each
 * real folder searched once (a link back up cannot loop); a link to nothing, or a file gone while
 * searching, is skipped as a step would not find it either.
 * @throws CodePackageError beyond {@link SUFFIX_FILES_LIMIT}, naming how much was found.
 */
export async function filesWithSuffixes(folder: string, selection: SuffixSelection): Promise<string[]> {
  const suffixes = checkPackageSuffixes(selection.suffixes);
  if (suffixes.length === 0) return [];
  const excluded = new Set<string>();
  for (const dir of selection.exclude ?? []) excluded.add(path.resolve(dir)).add(await realpath(dir).catch(() => path.resolve(dir)));
  const searched = new Set<string>();
  const found: string[] = [];
  let bytes = 0;
  const visit = async (dir: string): Promise<void> => {
    const real = await realpath(dir).catch(() => undefined);
    if (real === undefined || searched.has(real) || excluded.has(real)) return;
    searched.add(real);
    for (const entry of await readdir(dir, { withFileTypes: true }).catch(skipGone)) {
      const full = path.join(dir, entry.name);
      const target = entry.isSymbolicLink() ? await stat(full).catch(() => undefined) : entry;
      if (target?.isDirectory()) {
        if (entry.name !== "node_modules" && !entry.name.startsWith(".") && !excluded.has(full)) await visit(full);
      } else if (target?.isFile() && suffixes.some((suffix) => entry.name.endsWith(suffix))) {
        const size = await stat(full).then((s) => s.size, () => undefined);
        if (size === undefined) continue; // gone since the folder was listed
        found.push(full);
        bytes += size;
        if (found.length > SUFFIX_FILES_LIMIT.files || bytes > SUFFIX_FILES_LIMIT.bytes) throw tooMuch(folder, suffixes);
      }
    }
  };
  await visit(path.resolve(folder));
  return found.sort();
}

/** A folder removed while it was searched has no files. */
function skipGone(error: NodeJS.ErrnoException): Dirent[] {
  if (error.code === "ENOENT" || error.code === "ENOTDIR") return [];
  throw error;
}

function tooMuch(folder: string, suffixes: readonly string[]): CodePackageError {
  const { files, bytes } = SUFFIX_FILES_LIMIT;
  return new CodePackageError(
    `The files ending in ${suffixes.join(", ")} under ${folder} come to over ${files} files or ${bytes / 1024 / 1024} MiB, ` +
      `too much for the code package every worker reads. Narrow the suffixes, or keep large data in the datastore ` +
      `(as an artifact) or on storage the workers mount.`,
  );
}
