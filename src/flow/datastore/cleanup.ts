/**
 * Removing what the datastore no longer needs: whole runs, blobs no task refers to, and temporary
 * files left by killed processes. Metaflow has no such API (its issues #41 and #530 ask for it).
 */
import { randomUUID } from "node:crypto";
import { readdir, readFile, rename, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { ELEMENT_INDEX_SUFFIX } from "./element-index.js";

/** What `collectGarbage` removed. */
export interface GarbageReport {
  removedBlobs: number;
  removedTemporaries: number;
  freedBytes: number;
}

/** Blobs and temporaries younger than this are kept: a running task may not have indexed them yet. */
export const DEFAULT_GARBAGE_GRACE_MS = 60 * 60 * 1000;

/** Removes a run folder: renamed away first (so it vanishes at once), then deleted. */
export async function removeRunFolder(flowDir: string, runId: string): Promise<void> {
  const doomed = join(flowDir, `.deleted-${randomUUID()}`);
  await rename(join(flowDir, runId), doomed);
  await rm(doomed, { recursive: true, force: true });
}

/**
 * Deletes blobs of a flow that no attempt index of any run refers to, and temporary files, when
 * they are older than `graceMs`. Run it when no run of the flow is in progress: a task that reuses
 * an old unreferenced blob (dedup) between storing a value and writing its index would lose it.
 */
export async function collectFlowGarbage(flowDir: string, dataDirName: string, now: number, graceMs: number): Promise<GarbageReport> {
  const report: GarbageReport = { removedBlobs: 0, removedTemporaries: 0, freedBytes: 0 };
  const { referenced, indexTemporaries } = await scanRuns(flowDir, dataDirName);
  const removeIfOld = async (path: string, kind: "removedBlobs" | "removedTemporaries"): Promise<void> => {
    const stats = await stat(path).catch(() => undefined);
    if (!stats || now - stats.mtimeMs < graceMs) return;
    await rm(path, { recursive: true, force: true });
    report[kind]++;
    if (stats.isFile()) report.freedBytes += stats.size;
  };
  const dataDir = join(flowDir, dataDirName);
  for (const prefix of await namesIn(dataDir)) {
    if (prefix === ".tmp") {
      for (const name of await namesIn(join(dataDir, prefix))) await removeIfOld(join(dataDir, prefix, name), "removedTemporaries");
      continue;
    }
    for (const name of await namesIn(join(dataDir, prefix))) {
      // A foreach element index (`<sha>.elements`) lives and dies with its list blob.
      const sha = name.endsWith(ELEMENT_INDEX_SUFFIX) ? name.slice(0, -ELEMENT_INDEX_SUFFIX.length) : name;
      if (!referenced.has(sha)) await removeIfOld(join(dataDir, prefix, name), "removedBlobs");
    }
  }
  for (const name of await namesIn(flowDir)) {
    if (name.startsWith(".deleted-")) await removeIfOld(join(flowDir, name), "removedTemporaries");
  }
  for (const path of indexTemporaries) await removeIfOld(path, "removedTemporaries");
  return report;
}

/**
 * Every sha named by any attempt index (`<n>.done`, or `<n>.data.json` of layout 1) of any run of
 * the flow, and the temporary files of index and record writes a killed process left in run folders.
 */
async function scanRuns(flowDir: string, dataDirName: string): Promise<{ referenced: Set<string>; indexTemporaries: string[] }> {
  const shas = new Set<string>();
  const indexTemporaries: string[] = [];
  const entries = await readdir(flowDir, { recursive: true, withFileTypes: true });
  for (const entry of entries) {
    if (!entry.isFile() || entry.parentPath.startsWith(join(flowDir, dataDirName))) continue;
    if (entry.name.startsWith(".tmp-")) indexTemporaries.push(join(entry.parentPath, entry.name));
    if (!/^\d+\.(done|data\.json)$/.test(entry.name)) continue;
    const index = JSON.parse(await readFile(join(entry.parentPath, entry.name), "utf8")) as {
      artifacts?: Record<string, { sha?: string }>;
    };
    for (const record of Object.values(index.artifacts ?? {})) if (record.sha) shas.add(record.sha);
  }
  return { referenced: shas, indexTemporaries };
}

async function namesIn(dir: string): Promise<string[]> {
  return readdir(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return [];
    throw error;
  });
}
