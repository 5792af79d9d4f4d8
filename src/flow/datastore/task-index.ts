/**
 * The finished-attempt file `<n>.done`: the attempt's artifact index and metadata, written in one
 * atomic rename, so its existence is the done marker and it can never be seen half written.
 *
 * Layout version 1 (stores written before version 2) kept the index in `<n>.data.json` and wrote
 * `<n>.done` after it, holding only the index's sha256; such stores stay readable.
 */
import { createHash } from "node:crypto";
import type { ArtifactRecord } from "./records.js";

/** Layout version written into every finished attempt, so a future layout can read old stores. */
export const INDEX_VERSION = 2;

/** File name of the version 1 index of attempt `n`. */
export const legacyIndexName = (attempt: number): string => `${attempt}.data.json`;

/** What a finished attempt records. */
export interface AttemptIndex {
  version: number;
  attempt: number;
  startedAt: number;
  finishedAt: number;
  artifacts: Record<string, ArtifactRecord>;
  metadata: Record<string, unknown>;
}

/**
 * Parses a `<n>.done` file. A version 1 marker names the sha256 of the separate index, which
 * `readLegacyIndex` reads; a mismatch (the index was edited after the task finished) throws
 * `corrupt(...)`, as does a done file that is not a JSON index.
 */
export async function parseDoneFile(
  text: string,
  readLegacyIndex: () => Promise<string>,
  corrupt: (problem: string) => Error,
): Promise<AttemptIndex> {
  let parsed: Partial<AttemptIndex> & { indexSha256?: string };
  try {
    parsed = JSON.parse(text) as typeof parsed;
  } catch {
    throw corrupt("its done file is not valid JSON");
  }
  if (typeof parsed.indexSha256 === "string") {
    const legacy = await readLegacyIndex();
    if (createHash("sha256").update(legacy).digest("hex") !== parsed.indexSha256) {
      throw corrupt("its artifact index does not match its done marker (the index was changed after the task finished)");
    }
    return JSON.parse(legacy) as AttemptIndex;
  }
  if (typeof parsed.artifacts !== "object" || parsed.artifacts === null) throw corrupt("its done file holds no artifact index");
  return parsed as AttemptIndex;
}
