/**
 * Loading a user's flow file (.ts, .mts, .js, .mjs) and picking the flow class in it. Shared by every
 * command that takes FILE (`run`, `resume`, `show`, `check`, `spin`).
 */
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { isFlowClass, type FlowSpec } from "../../flow/define/spec.js";
import { linkWbflow } from "../../flow/executors/processes/link-wbflow.js";
import { CliUsageError } from "../command.js";
import { flowFileError } from "./flow-file-error.js";
import { urlExporting } from "./export-hook.js";
import { loadedAsCommonJs, requireExporting } from "./require-exporting.js";

let tsxRegistered = false;

/**
 * Imports a module; TypeScript through tsx's loaders, registered once for the whole process (not a
 * namespaced `tsImport`): the flow file's `import "wbflow"` then resolves to the very modules the CLI
 * already loaded, so wbflow is neither loaded twice nor transformed, and the datastore and codecs the
 * CLI hands to the run are the flow's own (a second copy's `instanceof` checks would fail).
 * Both loaders: a .ts file in a folder without `"type": "module"` (a notebook's folder, a fresh
 * project) is CommonJS to Node, which cannot load its `import` syntax without tsx's CommonJS loader.
 * linkWbflow keeps that module's `require("wbflow")` on these same modules (and finds wbflow even
 * where the file's folder has none installed).
 */
async function importModule(absolute: string, url: string): Promise<Record<string, unknown>> {
  if (/\.(c|m)?tsx?$/.test(absolute) && !tsxRegistered) {
    // wbflow's own modules load first, without tsx: once its loader is registered every module
    // loaded runs through its hooks in another thread (~4 ms each, hundreds of modules). The flow's
    // `import "wbflow"` then finds them already loaded.
    await import("../../index.js");
    linkWbflow(); // before tsx's CommonJS loader replaces Node's .js loader, which linkWbflow keeps
    // Loaded only for TypeScript files: tsx and esbuild are the largest part of the CLI's start-up.
    (await import("tsx/esm/api")).register();
    (await import("tsx/cjs/api")).register();
    tsxRegistered = true;
  }
  return (await import(url)) as Record<string, unknown>;
}

/** Names of classes declared without `export` (candidates for flows a file defines but does not export). */
function unexportedClassNames(source: string): string[] {
  const names = [...source.matchAll(/^([ \t]*)(export\s+(default\s+)?)?(abstract\s+)?class\s+([A-Za-z_$][\w$]*)/gm)];
  return names.filter((m) => !m[2]).map((m) => m[5]!);
}

/** Flow classes reached only by exporting them on the fly: a worker process importing the file cannot find them. */
const unexported = new WeakSet<object>();

/**
 * Imports a flow file. When it exports no flow class, the classes it merely defines are reached
 * by importing it again with them exported (see export-hook.ts and, for a file Node loads as
 * CommonJS, require-exporting.ts; no file is written).
 */
export async function importFlowFile(file: string): Promise<Record<string, unknown>> {
  const absolute = path.resolve(file);
  if (!existsSync(absolute)) throw new CliUsageError(`No such file: ${absolute}`);
  const load = (url: string) =>
    importModule(absolute, url).catch((error: unknown) => {
      throw flowFileError(absolute, error);
    });
  const exports = await load(pathToFileURL(absolute).href);
  if (Object.values(exports).some(isFlowClass)) return exports;
  const defined = unexportedClassNames(await readFile(absolute, "utf8"));
  if (defined.length === 0) return exports;
  let exporting: Record<string, unknown>;
  if (loadedAsCommonJs(absolute)) {
    try {
      exporting = requireExporting(absolute, defined);
    } catch (error) {
      throw flowFileError(absolute, error);
    }
  } else {
    exporting = await load(urlExporting(pathToFileURL(absolute).href, defined));
  }
  for (const value of Object.values(exporting)) if (isFlowClass(value)) unexported.add(value);
  return exporting;
}

/**
 * Worker processes (`--executor processes|bullmq`) import FILE and take the flow class from its
 * exports: a class the file only defines would fail every task. Said before the run starts.
 */
export function checkExportedForWorkers(flow: typeof FlowSpec, file: string, executor: string | undefined, command = "run"): void {
  if (executor === undefined || executor === "in-process" || !unexported.has(flow)) return;
  throw new CliUsageError(
    `${file} defines ${flow.name} without exporting it, and --executor ${executor} runs tasks in worker processes that import ` +
      `the file and take the class from its exports. Write \`export class ${flow.name} ...\` and ${command} again (or run without --executor).`,
  );
}

/** `word` as typed in a shell: quoted when it has spaces or other characters a shell would split on. */
function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

/** Picks the flow class from a module's exports; `command` names the verb in the hint. */
export function pickFlowClass(
  exports: Record<string, unknown>,
  file: string,
  flowName: string | undefined,
  command = "run",
): typeof FlowSpec {
  const flows = new Map<string, typeof FlowSpec>();
  for (const value of [...Object.values(exports), ...Object.values((exports.default ?? {}) as Record<string, unknown>), exports.default]) {
    if (isFlowClass(value)) flows.set(value.name, value);
  }
  if (flows.size === 0) {
    throw new CliUsageError(`${file} defines no flow class (a class that extends FlowSpec).`);
  }
  if (flowName !== undefined) {
    const flow = flows.get(flowName);
    if (!flow) throw new CliUsageError(`${file} has no flow named ${flowName}. Its flows: ${[...flows.keys()].join(", ")}.`);
    return flow;
  }
  if (flows.size > 1) {
    throw new CliUsageError(`${file} has several flows (${[...flows.keys()].join(", ")}). Name the one to ${command}: wbflow ${command} ${shellWord(file)} FlowName`);
  }
  return [...flows.values()][0]!;
}

/** Imports FILE and returns its flow class (the one named `flowName` when it has several). */
export async function loadFlowClass(file: string, flowName: string | undefined, command = "run"): Promise<typeof FlowSpec> {
  return pickFlowClass(await importFlowFile(file), file, flowName, command);
}
