/**
 * The artifact digest (reference §4.4) and the manifest v1 JSON (§4.3).
 * Digest: MD5 of `wandb-artifact-manifest-v1\n` then `<path>:<entry digest>\n` for every entry in
 * UTF-8 byte order of the paths, as lowercase hex.
 */
import { createHash } from "node:crypto";
import { put } from "../run/key-value-tree.js";

/** What W&B's manifest v1 holds per entry (keyed by path in `contents`). */
export interface ManifestEntryJson {
  digest: string;
  size?: number;
  ref?: string;
  birthArtifactID?: string;
  extra?: Record<string, unknown>;
}

/** The manifest v1 JSON document. */
export interface ManifestV1Json {
  version: 1;
  storagePolicy: "wandb-storage-policy-v1";
  storagePolicyConfig: { storageLayout: "V2" };
  contents: Record<string, ManifestEntryJson>;
}

/** Compares paths by their UTF-8 bytes (not UTF-16 code units, which order astral characters differently). */
export function compareUtf8(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}

/** The hex artifact digest of entries `{path, digest}`. */
export function artifactDigest(entries: Iterable<{ path: string; digest: string }>): string {
  const sorted = [...entries].sort((x, y) => compareUtf8(x.path, y.path));
  const hash = createHash("md5");
  hash.update("wandb-artifact-manifest-v1\n", "utf8");
  for (const entry of sorted) hash.update(`${entry.path}:${entry.digest}\n`, "utf8");
  return hash.digest("hex");
}

/** Builds the manifest v1 document with entries in UTF-8 path order. */
export function manifestV1(entries: Iterable<{ path: string } & ManifestEntryJson>): ManifestV1Json {
  const contents: Record<string, ManifestEntryJson> = {};
  for (const { path, ...entry } of [...entries].sort((x, y) => compareUtf8(x.path, y.path))) put(contents, path, entry);
  return { version: 1, storagePolicy: "wandb-storage-policy-v1", storagePolicyConfig: { storageLayout: "V2" }, contents };
}
