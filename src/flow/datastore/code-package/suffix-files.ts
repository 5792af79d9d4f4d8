/**
 * Files a flow reads at run time rather than imports (configs, small data, prompts), added to its
 * code package by suffix, as Metaflow's `--package-suffixes` does: every file under the flow
 * module's folder whose name ends with one of the suffixes. Folders that are never code are
 * skipped: node_modules, hidden folders (the code cache among them) and the run's datastore.
 */
import { readdir, stat } from "node:fs/promises";
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
 * Every file under `folder` whose name ends with one of the suffixes, absolute and sorted.
 * @throws CodePackageError beyond {@link SUFFIX_FILES_LIMIT}, naming how much was found.
 */
export async function filesWithSuffixes(folder: string, selection: SuffixSelection): Promise<string[]> {
  const suffixes = checkPackageSuffixes(selection.suffixes);
  if (suffixes.length === 0) return [];
  const excluded = new Set((selection.exclude ?? []).map((dir) => path.resolve(dir)));
  const found: string[] = [];
  let bytes = 0;
  const visit = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== "node_modules" && !entry.name.startsWith(".") && !excluded.has(full)) await visit(full);
      } else if (entry.isFile() && suffixes.some((suffix) => entry.name.endsWith(suffix))) {
        found.push(full);
        bytes += (await stat(full)).size;
        if (found.length > SUFFIX_FILES_LIMIT.files || bytes > SUFFIX_FILES_LIMIT.bytes) throw tooMuch(folder, suffixes);
      }
    }
  };
  await visit(path.resolve(folder));
  return found.sort();
}

function tooMuch(folder: string, suffixes: readonly string[]): CodePackageError {
  const { files, bytes } = SUFFIX_FILES_LIMIT;
  return new CodePackageError(
    `The files ending in ${suffixes.join(", ")} under ${folder} come to over ${files} files or ${bytes / 1024 / 1024} MiB, ` +
      `too much for the code package every worker reads. Narrow the suffixes, or keep large data in the datastore ` +
      `(as an artifact) or on storage the workers mount.`,
  );
}
