/**
 * The finished-attempt file `<n>.done`: the attempt's artifact index and metadata, written in one
 * atomic rename, so its existence is the done marker and it can never be seen half written.
 *
 * Since version 3 the file ends with `"checksum"`: the sha256 of the JSON before it was added, so a
 * changed byte anywhere (an edited inline value, a producer, a sha) is found on read. Inline values
 * are also checked against their own sha256, in every version.
 *
 * Layout version 1 (stores written before version 2) kept the index in `<n>.data.json` and wrote
 * `<n>.done` after it, holding only the index's sha256; such stores stay readable, as do version 2
 * files (no checksum).
 */
import { createHash } from "node:crypto";
import type { ArtifactRecord } from "./records.js";

/** Layout version written into every finished attempt, so a future layout can read old stores. */
export const INDEX_VERSION = 3;

/** The first layout version whose done files must carry a checksum. */
const CHECKSUM_SINCE = 3;

/** The text of a `<n>.done` file: the index as JSON with its checksum appended. */
export function serializeDoneFile(index: AttemptIndex): string {
  const json = JSON.stringify(index);
  return `${json.slice(0, -1)},"checksum":"${sha256(json)}"}`;
}

function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

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
  checkChecksum(parsed, corrupt);
  checkInlineValues(parsed.artifacts, corrupt);
  return parsed as AttemptIndex;
}

function checkChecksum(parsed: Partial<AttemptIndex> & { checksum?: unknown }, corrupt: (problem: string) => Error): void {
  const { checksum, ...index } = parsed;
  if (checksum === undefined) {
    if (typeof parsed.version === "number" && parsed.version < CHECKSUM_SINCE) return;
    throw corrupt("its done file has no checksum (it was changed after the task finished)");
  }
  // Parsing and re-serializing compact JSON gives back the bytes that were hashed.
  if (typeof checksum !== "string" || sha256(JSON.stringify(index)) !== checksum) {
    throw corrupt("its done file does not match its checksum (it was changed after the task finished)");
  }
}

function checkInlineValues(artifacts: Record<string, ArtifactRecord>, corrupt: (problem: string) => Error): void {
  for (const [name, record] of Object.entries(artifacts)) {
    if (typeof record?.inline !== "string") continue;
    if (createHash("sha256").update(Buffer.from(record.inline, "base64")).digest("hex") !== record.sha) {
      throw corrupt(`the value of artifact "${name}" stored inline in it does not match its sha256`);
    }
  }
}
