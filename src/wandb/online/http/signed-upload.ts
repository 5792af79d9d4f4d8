/**
 * PUT of bytes to an upload URL the server handed out, with exactly the headers it asked for.
 * Files are streamed from disk for every attempt; the API key is never attached (the request is
 * marked as a signed URL, so even an upload URL on the API's own origin goes without it).
 */
import { createReadStream } from "node:fs";
import type { AttemptResponse } from "./http-attempt.js";
import type { WandbHttpClient } from "./http-client.js";
import { UPLOAD_RETRY_POLICY } from "./retry-policy.js";

/** The bytes to upload: a file region on disk (streamed) or a buffer. */
export type UploadSource = { path: string; start?: number; length: number } | { bytes: Buffer };

/** Turns W&B's `"Name:Value"` header strings into a header map (split at the first colon, value trimmed). */
export function parseUploadHeaders(headers: readonly string[]): Record<string, string> {
  const parsed: Record<string, string> = {};
  for (const header of headers) {
    const colon = header.indexOf(":");
    if (colon <= 0) continue;
    parsed[header.slice(0, colon).trim().toLowerCase()] = header.slice(colon + 1).trim();
  }
  return parsed;
}

/** PUTs `source` to `url` with `headers`; `onProgress` receives bytes sent in the current attempt. */
export function putToUploadUrl(
  http: WandbHttpClient,
  url: string,
  headers: Record<string, string>,
  source: UploadSource,
  what: string,
  onProgress?: (sentBytes: number) => void,
): Promise<AttemptResponse> {
  const body =
    "bytes" in source
      ? source.bytes
      : {
          length: source.length,
          open: () =>
            createReadStream(source.path, {
              start: source.start ?? 0,
              end: (source.start ?? 0) + source.length - 1,
              highWaterMark: 1 << 20,
            }),
        };
  // An empty file region would make createReadStream read to EOF (end = start - 1); send no body.
  const safeBody = !Buffer.isBuffer(body) && body.length === 0 ? Buffer.alloc(0) : body;
  return http.send(
    { method: "PUT", url, headers, body: safeBody, what, signedUrl: true, ...(onProgress ? { onBodyProgress: onProgress } : {}) },
    UPLOAD_RETRY_POLICY,
  );
}
