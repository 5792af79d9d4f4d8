/**
 * Multipart upload of large artifact files (≥ 2 GiB by default, reference §4.5 step 4): the file
 * is split into parts (100 MiB, larger when there would be more than 10 000), each part's MD5 is
 * declared up front, parts are PUT separately, and the server assembles them on completion.
 */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { WandbUploadError } from "../http/api-errors.js";
import { completeMultipartUpload, type ArtifactFileTarget } from "./artifact-operations.js";
import type { WandbHttpClient } from "../http/http-client.js";
import { parseUploadHeaders, putToUploadUrl } from "../http/signed-upload.js";

/** Files at least this big are uploaded in parts. */
export const MULTIPART_THRESHOLD_BYTES = 2 * 1024 ** 3;
const DEFAULT_PART_BYTES = 100 * 1024 ** 2;
const MAX_PARTS = 10_000;

/** Part size for a file: 100 MiB, or larger (rounded up to 4 KiB) to stay within 10 000 parts. */
export function partSizeFor(fileBytes: number, preferred = DEFAULT_PART_BYTES): number {
  if (Math.ceil(fileBytes / preferred) <= MAX_PARTS) return preferred;
  return Math.ceil(fileBytes / MAX_PARTS / 4096) * 4096;
}

/** One part: its number (from 1), where it lies in the file and its hex MD5. */
export interface FilePart {
  partNumber: number;
  start: number;
  length: number;
  hexMD5: string;
}

/** Streams the file once, hashing each part. */
export async function hashParts(path: string, fileBytes: number, partBytes: number): Promise<FilePart[]> {
  const parts: FilePart[] = [];
  let hash = createHash("md5");
  let inPart = 0;
  let start = 0;
  const close = () => {
    parts.push({ partNumber: parts.length + 1, start, length: inPart, hexMD5: hash.digest("hex") });
    start += inPart;
    inPart = 0;
    hash = createHash("md5");
  };
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    let buffer = chunk as Buffer;
    while (buffer.length > 0) {
      const take = Math.min(buffer.length, partBytes - inPart);
      hash.update(buffer.subarray(0, take));
      inPart += take;
      buffer = buffer.subarray(take);
      if (inPart === partBytes) close();
    }
  }
  if (inPart > 0 || parts.length === 0) close();
  if (start !== fileBytes) throw new WandbUploadError(`${path} changed size while being hashed (${start} bytes, expected ${fileBytes})`);
  return parts;
}

/** PUTs every part, then asks the server to assemble them. */
export async function uploadParts(
  http: WandbHttpClient,
  path: string,
  parts: FilePart[],
  target: ArtifactFileTarget,
  birthArtifactId: string,
  onProgress: (sentBytes: number) => void,
): Promise<void> {
  const urls = target.uploadMultipartUrls!;
  const contentType = parseUploadHeaders(target.uploadHeaders)["content-type"] ?? "application/octet-stream";
  const completed: Array<{ partNumber: number; hexMD5: string }> = [];
  let doneBytes = 0;
  for (const part of parts) {
    const url = urls.uploadUrlParts.find((u) => Number(u.partNumber) === part.partNumber)?.uploadUrl;
    if (!url) throw new WandbUploadError(`the server gave no upload URL for part ${part.partNumber} of ${target.name}`);
    const response = await putToUploadUrl(
      http,
      url,
      { "content-md5": Buffer.from(part.hexMD5, "hex").toString("base64"), "content-type": contentType },
      { path, start: part.start, length: part.length },
      `upload of part ${part.partNumber} of ${target.name}`,
      (sent) => onProgress(doneBytes + sent),
    );
    doneBytes += part.length;
    const etag = response.headers.etag;
    completed.push({ partNumber: part.partNumber, hexMD5: (typeof etag === "string" ? etag : part.hexMD5).replace(/"/g, "") });
  }
  await completeMultipartUpload(http, {
    completedParts: completed,
    artifactID: birthArtifactId,
    storagePath: target.storagePath ?? "",
    uploadID: urls.uploadID,
  });
}
