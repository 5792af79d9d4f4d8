/**
 * Which local files a worker has loaded, and whether they changed since: a pooled worker outlives a run,
 * so when a notebook user edits the flow's module (or a file it imports, e.g. with `%%writefile`), the
 * next run must not get the old code from a warm worker. The worker reports each local file it loads with
 * a hash of its content; before a run, the pool hashes those files again and ends the workers whose code
 * changed (a fresh process imports everything anew, which re-importing in place could not do). Local means outside any `node_modules` folder and outside wbflow's own build.
 */
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { readFileSync } from "node:fs";
import Module, { register } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { MessageChannel } from "node:worker_threads";

/** A local file a worker loaded, and the hash of its content then. */
export interface LoadedFile {
  file: string;
  hash: string;
}

const BUILD_DIR = fileURLToPath(new URL("../../../", import.meta.url)); // this package's dist/ (or src/)

function isLocal(file: string): boolean {
  return path.isAbsolute(file) && !file.includes(`${path.sep}node_modules${path.sep}`) && !file.startsWith(BUILD_DIR);
}

function hashOf(content: Buffer): string {
  return createHash("sha256").update(content).digest("hex");
}

/**
 * In a worker: calls `report` once for every local file the process loads from now on (ES modules
 * through a resolve hook, CommonJS through the CommonJS resolver), with its content hash.
 */
export function recordLoadedFiles(report: (file: LoadedFile) => void): void {
  const seen = new Set<string>();
  const found = (file: string) => {
    if (seen.has(file) || !isLocal(file)) return;
    seen.add(file);
    try {
      report({ file, hash: hashOf(readFileSync(file)) });
    } catch {
      report({ file, hash: "unreadable" }); // any later state counts as changed
    }
  };
  const { port1, port2 } = new MessageChannel();
  port1.on("message", (url: string) => found(fileURLToPath(url)));
  port1.unref();
  register(new URL("./loaded-files-hook.js", import.meta.url), { data: { port: port2 }, transferList: [port2] });
  const resolver = Module as unknown as { _resolveFilename(request: string, ...rest: unknown[]): string };
  const original = resolver._resolveFilename;
  resolver._resolveFilename = function (request: string, ...rest: unknown[]): string {
    const file = original.call(this, request, ...rest);
    found(file);
    return file;
  };
}

/** In the pool: the content hash of each file now ("gone" when it cannot be read), to compare with what workers loaded. */
export async function currentHashes(files: Iterable<string>): Promise<Map<string, string>> {
  const hashes = new Map<string, string>();
  for (const file of new Set(files)) hashes.set(file, await readFile(file).then(hashOf, () => "gone"));
  return hashes;
}
