/**
 * One HTTP request attempt over node:http/https. Bodies may be streamed (uploads of many GiB are
 * never held in memory); responses are buffered (the W&B API's answers are small).
 */
import { request as httpRequest, type IncomingHttpHeaders } from "node:http";
import { request as httpsRequest } from "node:https";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";

/** A request body: bytes, or a stream made fresh for every attempt. */
export type RequestBody = Buffer | { length: number; open(): Readable };

/** What an attempt sends. */
export interface AttemptRequest {
  method: "GET" | "POST" | "PUT";
  url: URL;
  headers: Record<string, string>;
  body?: RequestBody;
  /** The attempt fails when the socket is idle this long. */
  idleTimeoutMs: number;
  /** Called with the number of body bytes handed to the socket so far. */
  onBodyProgress?: (sentBytes: number) => void;
}

/** A response. */
export interface AttemptResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** A request that got no HTTP response (refused, reset, timed out). */
export class AttemptNetworkError extends Error {
  override name = "AttemptNetworkError";
}

/**
 * The body's own source failed (a file to upload is missing or unreadable): another attempt would
 * fail the same way, so this is not retried like a network problem.
 */
export class AttemptSourceError extends Error {
  override name = "AttemptSourceError";
}

/** Sends one request and reads the whole response. Rejects with `AttemptNetworkError` on transport failure. */
export function sendAttempt(req: AttemptRequest): Promise<AttemptResponse> {
  const send = req.url.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise<AttemptResponse>((resolve, reject) => {
    let settled = false;
    const fail = (message: string, source = false) => {
      if (settled) return;
      settled = true;
      reject(source ? new AttemptSourceError(message) : new AttemptNetworkError(message));
    };
    const length = req.body === undefined ? 0 : Buffer.isBuffer(req.body) ? req.body.length : req.body.length;
    const outgoing = send(req.url, { method: req.method, headers: { ...req.headers, "content-length": String(length) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("error", (error) => fail(`${error.message} while reading the response`));
      res.on("end", () => {
        if (settled) return;
        settled = true;
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) });
      });
      res.on("close", () => {
        if (!res.complete) fail("the connection closed before the response was complete");
      });
    });
    outgoing.setTimeout(req.idleTimeoutMs, () => {
      outgoing.destroy();
      fail(`no data moved for ${req.idleTimeoutMs} ms (timeout)`);
    });
    // Set when the body's source fails; the request is then destroyed with that same error.
    let sourceError: Error | undefined;
    const failWith = (error: Error) =>
      error === sourceError ? fail(`reading the body failed: ${error.message}`, true) : fail(`sending the body failed: ${error.message}`);
    outgoing.on("error", (error) => (error === sourceError ? failWith(error) : fail(error.message)));
    if (req.body === undefined) {
      outgoing.end();
    } else if (Buffer.isBuffer(req.body)) {
      outgoing.end(req.body);
      req.onBodyProgress?.(req.body.length);
    } else {
      const source = req.body.open();
      source.once("error", (error) => (sourceError = error));
      let sent = 0;
      if (req.onBodyProgress) {
        const report = req.onBodyProgress;
        source.on("data", (chunk: Buffer) => {
          sent += chunk.length;
          report(sent);
        });
      }
      pipeline(source, outgoing).catch((error: Error) => {
        outgoing.destroy();
        failWith(error);
      });
    }
  });
}
