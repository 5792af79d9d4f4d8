/** Builds artifact uploads from real files on disk, with digests computed as W&B defines them. */
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { ArtifactUpload } from "../../src/wandb/online/artifacts/artifact-uploader.js";

/** A fresh temp directory. */
export function tempDir(prefix = "wbflow-online-"): string {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** The artifact digest of reference §4.4 (entries sorted by UTF-8 bytes of the path). */
export function manifestDigest(entries: Array<{ path: string; digest: string }>): string {
  const sorted = [...entries].sort((a, b) => Buffer.compare(Buffer.from(a.path), Buffer.from(b.path)));
  const hash = createHash("md5").update("wandb-artifact-manifest-v1\n");
  for (const e of sorted) hash.update(`${e.path}:${e.digest}\n`);
  return hash.digest("hex");
}

/** Writes `files` into `dir` and returns an upload of them. */
export function artifactFromFiles(
  dir: string,
  base: { entity: string; project: string; runId: string | null; type: string; name: string },
  files: Record<string, Buffer | string>,
): ArtifactUpload {
  const entries = Object.entries(files).map(([name, content]) => {
    const bytes = Buffer.isBuffer(content) ? content : Buffer.from(content);
    const localPath = path.join(dir, `${base.name}-${name.replace(/\//g, "_")}-${randomBytes(4).toString("hex")}`);
    writeFileSync(localPath, bytes);
    return { path: name, digest: createHash("md5").update(bytes).digest("base64"), size: bytes.length, localPath };
  });
  return {
    ...base,
    digest: manifestDigest(entries),
    aliases: ["latest"],
    clientId: randomBytes(16).toString("hex"),
    sequenceClientId: randomBytes(16).toString("hex"),
    entries,
  };
}
