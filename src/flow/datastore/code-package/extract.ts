/**
 * The worker's side of a code package: refuse a run started with another wbflow version, then
 * unpack exactly the run's code into a local cache folder (once per package) to import it from there.
 */
import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import type { Datastore } from "../datastore.js";
import { readCodePackage, type RunCode } from "./code-package.js";
import { CodePackageError, WbflowVersionMismatchError } from "./errors.js";
import { WBFLOW_VERSION } from "./wbflow-version.js";

/**
 * Throws WbflowVersionMismatchError when the run was started with a wbflow version other than this
 * one. `where` names the run or task in the message, e.g. "Run MyFlow/1712".
 */
export function checkWbflowVersion(code: RunCode, where: string, workerVersion: string = WBFLOW_VERSION): void {
  if (code.wbflowVersion !== workerVersion) throw new WbflowVersionMismatchError(where, code.wbflowVersion, workerVersion);
}

/**
 * Unpacks the run's code package into `<cacheDir>/<sha>/` unless it is there already, and returns
 * the absolute path of the flow's module. The folder appears complete or not at all (unpacked
 * aside, then renamed), so workers sharing a cache never import half a package. Put `cacheDir`
 * inside the workers' project: the code's npm imports resolve from there (its node_modules).
 */
export async function extractCodePackage(datastore: Datastore, flowName: string, code: RunCode, cacheDir: string): Promise<string> {
  const target = path.join(path.resolve(cacheDir), code.sha);
  const entry = path.join(target, ...code.entry.split("/"));
  if (existsSync(entry)) return entry;
  const content = await readCodePackage(datastore, flowName, code.sha);
  if (content.entry !== code.entry) {
    throw new CodePackageError(`The code package ${code.sha} of flow ${flowName} names ${content.entry} as its module, not ${code.entry}.`);
  }
  const staging = path.join(path.resolve(cacheDir), `.tmp-${randomUUID()}`);
  try {
    const binary = Object.entries(content.binary ?? {}).map(([relative, base64]) => [relative, Buffer.from(base64, "base64")] as const);
    for (const [relative, bytes] of [...Object.entries(content.files), ...binary]) {
      const file = path.join(staging, ...safeRelativePath(relative, code.sha).split("/"));
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, bytes);
    }
    await rename(staging, target).catch((error: NodeJS.ErrnoException) => {
      // Another worker on this machine unpacked the same package first: theirs is identical.
      if (!existsSync(entry)) throw error;
    });
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  return entry;
}

/** A package path may only name a file inside the package: relative, no "..", no empty parts. */
function safeRelativePath(relative: string, sha: string): string {
  const parts = relative.split("/");
  if (relative.includes("\\") || relative.includes("\0") || parts.some((part) => part === "" || part === "." || part === "..")) {
    throw new CodePackageError(`The code package ${sha} holds a file named ${JSON.stringify(relative)}, outside the package; it is refused.`);
  }
  return relative;
}
