/**
 * Logs one artifact version to the server, in the order of reference §4.5: createArtifact (stop
 * if the server deduplicated it) → createArtifactManifest → createArtifactFiles in batches → PUT
 * the bytes the server lacks (several at once, multipart when large) → manifest with birth ids →
 * register and PUT the manifest → commitArtifact → useArtifact when logged "for use".
 * Every step is safe to repeat, so a retried request or a resumed sync never duplicates a version.
 */
import { createHash } from "node:crypto";
import { WandbUploadError } from "../http/api-errors.js";
import {
  commitArtifact,
  createArtifact,
  createArtifactFiles,
  createArtifactManifest,
  useArtifactById,
  type ArtifactFileSpec,
  type ArtifactFileTarget,
} from "./artifact-operations.js";
import { runWithConcurrency } from "./concurrency-pool.js";
import type { WandbHttpClient } from "../http/http-client.js";
import { hashParts, MULTIPART_THRESHOLD_BYTES, partSizeFor, uploadParts, type FilePart } from "./multipart-upload.js";
import { parseUploadHeaders, putToUploadUrl } from "../http/signed-upload.js";

/** One file of the version: manifest path, base64 MD5, size and where its bytes are on disk. */
export interface ArtifactUploadEntry {
  path: string;
  digest: string;
  size: number;
  /** Bytes to upload; entries without it (references) are only listed in the manifest. */
  localPath?: string;
  ref?: string;
  mimetype?: string;
  extra?: Record<string, unknown>;
}

/** An artifact version to log. */
export interface ArtifactUpload {
  entity: string;
  project: string;
  /** The producing run (the "output" lineage edge); null for a user-created artifact. */
  runId: string | null;
  type: string;
  name: string;
  /** Hex manifest digest (reference §4.4). */
  digest: string;
  description?: string;
  /** JSON object text. */
  metadata?: string;
  aliases: string[];
  clientId: string;
  sequenceClientId: string;
  entries: ArtifactUploadEntry[];
  historyStep?: number;
  /** Also record `useRunId` as a consumer after commit (the "input" lineage edge). */
  useAfterCommit?: { runId: string };
}

/** Upload progress of one version. */
export interface ArtifactUploadProgress {
  name: string;
  uploadedBytes: number;
  totalBytes: number;
}

/** Tuning knobs (tests lower the multipart threshold). */
export interface ArtifactUploadOptions {
  /** Files uploaded at once (default 8). */
  concurrency?: number;
  /** Files declared per createArtifactFiles request (default 200). */
  batchSize?: number;
  multipartThresholdBytes?: number;
  /** Part size for multipart uploads (default 100 MiB). */
  partBytes?: number;
  onProgress?: (progress: ArtifactUploadProgress) => void;
}

/** The committed (or deduplicated) version. */
export interface LoggedArtifact {
  id: string;
  versionIndex: number | null;
  aliases: string[];
  /** True when the server already had a version with this digest: nothing was uploaded. */
  deduplicated: boolean;
}

const MANIFEST_NAME = "wandb_manifest.json";

/** Runs the whole sequence for one version. */
export async function uploadArtifact(
  http: WandbHttpClient,
  artifact: ArtifactUpload,
  options: ArtifactUploadOptions = {},
): Promise<LoggedArtifact> {
  const aliases = [...new Set([...artifact.aliases, "latest"])];
  const created = await createArtifact(http, {
    entityName: artifact.entity,
    projectName: artifact.project,
    runName: artifact.runId,
    artifactTypeName: artifact.type,
    artifactCollectionName: artifact.name,
    digest: artifact.digest,
    description: artifact.description ?? null,
    metadata: artifact.metadata ?? null,
    aliases: aliases.map((alias) => ({ artifactCollectionName: artifact.name, alias })),
    clientID: artifact.clientId,
    sequenceClientID: artifact.sequenceClientId,
    historyStep: artifact.historyStep ?? null,
  });
  if (created.state === "COMMITTED") {
    await useAfterCommit(http, artifact, created.id);
    return { id: created.id, versionIndex: created.versionIndex, aliases: created.aliases.map((a) => a.alias), deduplicated: true };
  }
  if (created.state !== "PENDING" && created.state !== "DELETED") {
    throw new WandbUploadError(`createArtifact for ${artifact.name} returned unexpected state ${String(created.state)}`);
  }
  const baseArtifactID = created.artifactSequence.latestArtifact?.id ?? null;
  const manifestRef = {
    artifactID: created.id,
    baseArtifactID,
    name: MANIFEST_NAME,
    entityName: artifact.entity,
    projectName: artifact.project,
    runName: artifact.runId ?? "",
  };
  const draft = await createArtifactManifest(http, { ...manifestRef, digest: "", includeUpload: false });

  const birthIds = await uploadFiles(http, artifact, created.id, draft.id, options);
  const manifestBytes = manifestJson(artifact.entries, birthIds);
  const manifestDigest = createHash("md5").update(manifestBytes).digest("base64");
  const registered = await createArtifactManifest(http, { ...manifestRef, digest: manifestDigest, includeUpload: true });
  if (!registered.file.uploadUrl) throw new WandbUploadError(`the server gave no upload URL for the manifest of ${artifact.name}`);
  await putToUploadUrl(
    http,
    registered.file.uploadUrl,
    parseUploadHeaders(registered.file.uploadHeaders ?? []),
    { bytes: manifestBytes },
    `upload of the manifest of ${artifact.name}`,
  );
  const committed = await commitArtifact(http, created.id);
  await useAfterCommit(http, artifact, committed.id);
  return {
    id: committed.id,
    versionIndex: committed.versionIndex,
    aliases: committed.aliases.map((a) => a.alias),
    deduplicated: false,
  };
}

async function useAfterCommit(http: WandbHttpClient, artifact: ArtifactUpload, artifactId: string): Promise<void> {
  if (!artifact.useAfterCommit) return;
  await useArtifactById(http, {
    entityName: artifact.entity,
    projectName: artifact.project,
    runName: artifact.useAfterCommit.runId,
    artifactID: artifactId,
    artifactEntityName: artifact.entity,
    artifactProjectName: artifact.project,
  });
}

/** Declares one batch of files (with part digests for the multipart ones); returns where each goes. */
async function declareFiles(
  http: WandbHttpClient,
  artifactName: string,
  batch: ArtifactUploadEntry[],
  ids: { artifactId: string; manifestId: string },
  options: ArtifactUploadOptions,
): Promise<{ targets: ArtifactFileTarget[]; parts: Map<string, FilePart[]> }> {
  const threshold = options.multipartThresholdBytes ?? MULTIPART_THRESHOLD_BYTES;
  const parts = new Map<string, FilePart[]>();
  for (const entry of batch) {
    if (entry.size >= threshold) {
      parts.set(entry.path, await hashParts(entry.localPath!, entry.size, partSizeFor(entry.size, options.partBytes)));
    }
  }
  const specs: ArtifactFileSpec[] = batch.map((entry) => ({
    artifactID: ids.artifactId,
    artifactManifestID: ids.manifestId,
    name: entry.path,
    md5: entry.digest,
    ...(parts.has(entry.path)
      ? { uploadPartsInput: parts.get(entry.path)!.map((p) => ({ partNumber: p.partNumber, hexMD5: p.hexMD5 })) }
      : {}),
  }));
  const targets = await createArtifactFiles(http, specs);
  if (targets.length !== batch.length) {
    throw new WandbUploadError(`createArtifactFiles answered ${targets.length} files for ${batch.length} declared (${artifactName})`);
  }
  return { targets, parts };
}

/** Declares files in batches, uploads what the server lacks; returns path → birth artifact id. */
async function uploadFiles(
  http: WandbHttpClient,
  artifact: ArtifactUpload,
  artifactId: string,
  manifestId: string,
  options: ArtifactUploadOptions,
): Promise<Map<string, string>> {
  const local = artifact.entries.filter((e) => e.localPath !== undefined);
  const totalBytes = local.reduce((sum, e) => sum + e.size, 0);
  const sentPerFile = new Map<string, number>();
  let sentTotal = 0;
  const report = (path: string, sent: number) => {
    sentTotal += sent - (sentPerFile.get(path) ?? 0);
    sentPerFile.set(path, sent);
    options.onProgress?.({ name: artifact.name, uploadedBytes: sentTotal, totalBytes });
  };
  const birthIds = new Map<string, string>();
  const batchSize = options.batchSize ?? 200;
  for (let i = 0; i < local.length; i += batchSize) {
    const batch = local.slice(i, i + batchSize);
    const { targets, parts } = await declareFiles(http, artifact.name, batch, { artifactId, manifestId }, options);
    const jobs: Array<{ entry: ArtifactUploadEntry; target: ArtifactFileTarget }> = [];
    batch.forEach((entry, index) => {
      const target = targets[index]!;
      birthIds.set(entry.path, target.artifact?.id ?? artifactId);
      if (target.uploadUrl === null && target.uploadMultipartUrls === null) report(entry.path, entry.size);
      else jobs.push({ entry, target });
    });
    await runWithConcurrency(jobs, options.concurrency ?? 8, async ({ entry, target }) => {
      const filePath = entry.localPath!;
      const onProgress = (sent: number) => report(entry.path, sent);
      if (target.uploadMultipartUrls) {
        await uploadParts(http, filePath, parts.get(entry.path) ?? [], target, birthIds.get(entry.path)!, onProgress);
      } else {
        await putToUploadUrl(
          http,
          target.uploadUrl!,
          parseUploadHeaders(target.uploadHeaders),
          { path: filePath, length: entry.size },
          `upload of ${entry.path} (artifact ${artifact.name})`,
          onProgress,
        );
      }
    });
  }
  return birthIds;
}

/** The manifest v1 file (reference §4.3), with each uploaded entry's birth artifact id. */
export function manifestJson(entries: ArtifactUploadEntry[], birthIds: Map<string, string>): Buffer {
  const contents: Record<string, Record<string, unknown>> = {};
  for (const entry of entries) {
    const item: Record<string, unknown> = { digest: entry.digest, size: entry.size };
    if (entry.ref !== undefined) item["ref"] = entry.ref;
    const birth = birthIds.get(entry.path);
    if (birth !== undefined) item["birthArtifactID"] = birth;
    if (entry.mimetype !== undefined) item["mimetype"] = entry.mimetype;
    if (entry.extra !== undefined) item["extra"] = entry.extra;
    contents[entry.path] = item;
  }
  const manifest = {
    version: 1,
    storagePolicy: "wandb-storage-policy-v1",
    storagePolicyConfig: { storageLayout: "V2" },
    contents,
  };
  return Buffer.from(JSON.stringify(manifest, null, 4));
}
