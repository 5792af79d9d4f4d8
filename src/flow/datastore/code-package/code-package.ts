/**
 * A flow's code package, like Metaflow's: the flow's module and its local imports, stored once per
 * content in the datastore, so every worker runs exactly the code the run started with. A run
 * records which package and which wbflow version it runs in `<Flow>/<run>/_code.json`.
 *
 * ```
 * <Flow>/code/<sha[:2]>/<sha>.json    the package (canonical JSON; sha256 of these bytes)
 * <Flow>/<run>/_code.json             RunCode: the package's sha, entry and the wbflow version
 * ```
 * Packages live beside the blobs, not among them, so collecting a flow's garbage keeps them.
 */
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { writeFileAtomic } from "../../../core/atomic-write.js";
import type { Datastore } from "../datastore.js";
import { collectFlowSources } from "./collect-sources.js";
import type { SuffixSelection } from "./suffix-files.js";
import { CodePackageError } from "./errors.js";
import { WBFLOW_VERSION } from "./wbflow-version.js";

/** The format name written into every package, checked when one is read. */
export const CODE_PACKAGE_FORMAT = "wbflow-code-package/1";

/** A package's content: files by their path relative to the package root (posix separators). */
export interface CodePackage {
  format: typeof CODE_PACKAGE_FORMAT;
  /** The flow's module, relative. */
  entry: string;
  /** File path -> UTF-8 text, keys sorted. */
  files: Record<string, string>;
  /** Files gathered by suffix that are not UTF-8 text: path -> base64 of their bytes. */
  binary?: Record<string, string>;
}

/** What a run records about the code it runs. */
export interface RunCode {
  /** sha256 of the package's bytes. */
  sha: string;
  size: number;
  /** The flow's module inside the package. */
  entry: string;
  /** The wbflow version the run was started with; workers with another version refuse its tasks. */
  wbflowVersion: string;
}

/** Builds the package of the flow module `entryFile` (see collectFlowSources for what goes in). */
export async function buildCodePackage(entryFile: string, bySuffix?: SuffixSelection): Promise<{ bytes: Buffer; sha: string; entry: string }> {
  const sources = await collectFlowSources(entryFile, bySuffix);
  const data = new Set(sources.suffixFiles);
  const files: Record<string, string> = {};
  const binary: Record<string, string> = {};
  for (const file of sources.files) {
    const relative = path.relative(sources.root, file).split(path.sep).join("/");
    const bytes = await readFile(file).catch((error: NodeJS.ErrnoException) => {
      if (data.has(file) && error.code === "ENOENT") return undefined; // data removed since it was found: as if never there
      throw error;
    });
    if (bytes === undefined) continue;
    const text = bytes.toString("utf8");
    if (data.has(file)) {
      // Data is stored exactly: text as text (readable in the package), anything else as base64.
      if (Buffer.from(text, "utf8").equals(bytes)) files[relative] = text;
      else binary[relative] = bytes.toString("base64");
    } else {
      files[relative] = path.basename(file) === "package.json" ? moduleTypeOnly(text, file) : text;
    }
  }
  const entry = path.relative(sources.root, sources.entry).split(path.sep).join("/");
  const content: CodePackage = { format: CODE_PACKAGE_FORMAT, entry, files, ...(Object.keys(binary).length > 0 ? { binary } : {}) };
  const bytes = Buffer.from(JSON.stringify(content));
  return { bytes, sha: createHash("sha256").update(bytes).digest("hex"), entry };
}

/**
 * Packages the flow's code into the datastore (a package with the same content is stored once) and
 * records it, with this wbflow's version, as the code of run `runId`. `suffixes` adds the files under
 * the module's folder with those endings (files the code reads at run time).
 */
export async function storeRunCode(datastore: Datastore, flowName: string, runId: string, entryFile: string, suffixes: readonly string[] = []): Promise<RunCode> {
  const runFolder = await existingRunFolder(datastore, flowName, runId);
  const { bytes, sha, entry } = await buildCodePackage(entryFile, { suffixes, exclude: [datastore.root] });
  const packagePath = codePackagePath(datastore, flowName, sha);
  if (!existsSync(packagePath)) await writeFileAtomic(packagePath, bytes);
  const record: RunCode = { sha, size: bytes.byteLength, entry, wbflowVersion: WBFLOW_VERSION };
  await writeFileAtomic(path.join(runFolder, "_code.json"), JSON.stringify(record));
  return record;
}

/**
 * The code a run recorded, or undefined when it recorded none (it ran without a code package).
 * @throws CodePackageError when the record is damaged.
 */
export async function readRunCode(datastore: Datastore, flowName: string, runId: string): Promise<RunCode | undefined> {
  const file = path.join(await existingRunFolder(datastore, flowName, runId), "_code.json");
  const text = await readFile(file, "utf8").catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return undefined;
    throw error;
  });
  if (text === undefined) return undefined;
  try {
    const record = JSON.parse(text) as RunCode;
    if (/^[0-9a-f]{64}$/.test(record.sha) && typeof record.entry === "string" && typeof record.wbflowVersion === "string") return record;
  } catch {
    // reported below
  }
  throw new CodePackageError(`The code record ${file} of run ${flowName}/${runId} is damaged. Start a new run.`);
}

/**
 * Reads a stored package and checks its bytes against the sha that names it.
 * @throws CodePackageError when it is missing, altered or not a package.
 */
export async function readCodePackage(datastore: Datastore, flowName: string, sha: string): Promise<CodePackage> {
  const file = codePackagePath(datastore, flowName, sha);
  const bytes = await readFile(file).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== "ENOENT") throw error;
    throw new CodePackageError(
      `The code package ${sha} of flow ${flowName} is missing from ${file}. Workers must mount the same datastore as ` +
        `the run (check the worker's --datastore and the shared storage), or the datastore was partly deleted.`,
    );
  });
  const actual = createHash("sha256").update(bytes).digest("hex");
  if (actual !== sha) {
    throw new CodePackageError(`The code package ${file} was altered (its sha256 is ${actual}). Start a new run to package the code again.`);
  }
  const content = JSON.parse(bytes.toString("utf8")) as CodePackage;
  if (content.format !== CODE_PACKAGE_FORMAT || typeof content.files !== "object" || !(content.entry in content.files)) {
    throw new CodePackageError(`${file} is not a ${CODE_PACKAGE_FORMAT} package. Start a new run to package the code again.`);
  }
  return content;
}

function codePackagePath(datastore: Datastore, flowName: string, sha: string): string {
  if (!/^[0-9a-f]{64}$/.test(sha)) throw new CodePackageError(`"${sha}" is not the sha256 of a code package.`);
  return path.join(datastore.root, flowName, "code", sha.slice(0, 2), `${sha}.json`);
}

/** The run's folder, after checking (through the datastore's own validation) that the run exists. */
async function existingRunFolder(datastore: Datastore, flowName: string, runId: string): Promise<string> {
  await datastore.readRun(flowName, runId);
  return path.join(datastore.root, flowName, runId);
}

/**
 * Only a package.json's `type` matters to a worker (whether .js files are ES modules); its name,
 * exports and dependencies would make Node resolve imports inside the package instead of in the
 * worker's environment.
 */
function moduleTypeOnly(text: string, file: string): string {
  try {
    const { type } = JSON.parse(text) as { type?: unknown };
    return JSON.stringify(type === undefined ? {} : { type });
  } catch (error) {
    throw new CodePackageError(`${file} is not valid JSON (${(error as Error).message}); fix it before running on workers.`);
  }
}
