/**
 * A W&B-protocol server for tests, on loopback: `POST /graphql` (every document and its
 * variables validated against schema.graphql by graphql-js), the file_stream endpoint, and
 * "storage" for signed upload/download URLs — on its own listener, or (`storageLayout:
 * "api-origin"`, like W&B Server with local storage) under `/storage` on the API's own origin.
 * Storage refuses any request carrying an `Authorization` header (403), so tests prove the API key
 * never reaches a signed URL. Faults are injected through `faults`; state is in `state`.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { buildSchema, graphql, type GraphQLSchema } from "graphql";
import { FaultPlan, type Route } from "./fault-plan.js";
import { createRootValue, type CompleteMultipart, type ResolverContext } from "./graphql-resolvers.js";
import { ServerState, type ServerArtifactFile, type ServerUser } from "./server-state.js";

const schemaText = readFileSync(new URL("./schema.graphql", import.meta.url), "utf8");
let schemaCache: GraphQLSchema | undefined;
function schema(): GraphQLSchema {
  schemaCache ??= buildSchema(schemaText);
  return schemaCache;
}

/** One request as the server saw it. */
export interface LoggedRequest {
  listener: "api" | "storage";
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  operationName?: string;
  /** file_stream request bodies, parsed. */
  fileStreamBody?: FileStreamBody;
}

/** The JSON a client posts to file_stream. */
export interface FileStreamBody {
  files?: Record<string, { offset: number; content: string[] }>;
  uploaded?: string[];
  complete?: boolean;
  exitcode?: number;
  preempting?: boolean;
}

/** Options for `startProtocolServer`. */
export interface ProtocolServerOptions {
  /** Users (API keys) the server accepts. Default: one user `tester` with a 40-char key. */
  users?: ServerUser[];
  /** Keep uploaded blob bytes in memory (default true; benchmarks turn it off). */
  keepBytes?: boolean;
  /** Where signed storage URLs point (default: its own listener). */
  storageLayout?: StorageLayout;
}

/**
 * Where storage lives: `own-listener` (a separate origin, like cloud buckets) or `api-origin`
 * (`/storage/...` beside `/graphql` on the API's origin, like W&B Server with local storage).
 */
export type StorageLayout = "own-listener" | "api-origin";

/**
 * The layout when a test names none: `WBFLOW_TEST_STORAGE_LAYOUT` (set by the vitest project that
 * reruns the end-to-end online tests with storage on the API origin), else its own listener.
 */
export function defaultStorageLayout(): StorageLayout {
  const named = process.env.WBFLOW_TEST_STORAGE_LAYOUT;
  if (named === undefined || named === "") return "own-listener";
  if (named !== "own-listener" && named !== "api-origin") throw new Error(`WBFLOW_TEST_STORAGE_LAYOUT=${named}: use own-listener or api-origin`);
  return named;
}

/** A running protocol test server. */
export interface ProtocolServer {
  /** The API base URL, e.g. `http://127.0.0.1:40000`. */
  url: string;
  /** Origin that signed storage URLs point at (the API's own origin in the `api-origin` layout). */
  storageOrigin: string;
  storageLayout: StorageLayout;
  state: ServerState;
  faults: FaultPlan;
  requests: LoggedRequest[];
  /** The most uploads (storage PUTs) that were in progress at the same time. */
  readonly maxConcurrentUploads: number;
  /** GraphQL documents refused by schema validation (tests assert this stays empty). */
  rejectedDocuments: Array<{ operationName: string | undefined; errors: string[] }>;
  close(): Promise<void>;
}

/**
 * The back end's limit for one file_stream line (wandb-core's `defaultMaxFileLineBytes`, "imposed by
 * the back-end"; W&B's client never sends a longer one). Our reading: the request is refused.
 */
const MAX_STREAM_LINE_BYTES = (10 << 20) - (100 << 10);

/** Why a file_stream body is refused for an over-long line, or undefined. */
function overlongLine(files: Record<string, { offset: number; content: string[] }>): string | undefined {
  for (const [fileName, chunk] of Object.entries(files)) {
    const index = chunk.content.findIndex((line) => Buffer.byteLength(line) > MAX_STREAM_LINE_BYTES);
    if (index >= 0) return `${fileName}: line ${chunk.offset + index} is longer than ${MAX_STREAM_LINE_BYTES} bytes`;
  }
  return undefined;
}

/** A default user whose key is accepted by a fresh server. */
export const TEST_USER: ServerUser = {
  apiKey: "a".repeat(8) + "0123456789abcdef0123456789abcdef",
  username: "tester",
  entity: "tester-entity",
  email: "tester@example.com",
};

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text), ...headers });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function userFromBasicAuth(state: ServerState, header: string | undefined): ServerUser | undefined {
  if (!header?.startsWith("Basic ")) return undefined;
  const decoded = Buffer.from(header.slice(6), "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 0 || decoded.slice(0, colon) !== "api") return undefined;
  return state.userForKey(decoded.slice(colon + 1));
}

/** Starts the server on 127.0.0.1 with random ports. */
export async function startProtocolServer(options: ProtocolServerOptions = {}): Promise<ProtocolServer> {
  const state = new ServerState();
  state.users.push(...(options.users ?? [TEST_USER]));
  const keepBytes = options.keepBytes ?? true;
  const storageLayout = options.storageLayout ?? defaultStorageLayout();
  const faults = new FaultPlan();
  const requests: LoggedRequest[] = [];
  const rejectedDocuments: ProtocolServer["rejectedDocuments"] = [];
  const rootValue = createRootValue(state);
  const parts = new Map<string, Map<number, Buffer>>();
  let storageOrigin = "";
  let uploadsInFlight = 0;
  let maxConcurrentUploads = 0;

  /** Applies the fault queued for this request; returns false when the request must not be handled. */
  async function preFault(route: Route, operationName: string | undefined, res: ServerResponse): Promise<"handle" | "stop" | "lose"> {
    const fault = faults.take(route, operationName);
    if (!fault) return "handle";
    switch (fault.kind) {
      case "status":
        sendJson(res, fault.status, { error: "injected failure" });
        return "stop";
      case "rate-limit":
        sendJson(res, 429, { error: "rate limited" }, { "retry-after": String(fault.retryAfterSeconds) });
        return "stop";
      case "reset":
        res.socket?.destroy();
        return "stop";
      case "slow":
        await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
        return "handle";
      case "held":
        await fault.release;
        return "handle";
      case "lost-response":
        return "lose";
    }
  }

  /** Sends the response, or drops the connection when the fault says the response is lost. */
  function finish(mode: "handle" | "lose", res: ServerResponse, status: number, body: unknown, headers?: Record<string, string>): void {
    if (mode === "lose") {
      res.socket?.destroy();
      return;
    }
    sendJson(res, status, body, headers);
  }

  const completeMultipart: CompleteMultipart = (file: ServerArtifactFile, completed) => {
    const uploadId = file.multipart!.uploadId;
    const received = parts.get(uploadId) ?? new Map<number, Buffer>();
    const whole = createHash("md5");
    const kept: Buffer[] = [];
    let size = 0;
    for (const part of [...completed].sort((a, b) => a.partNumber - b.partNumber)) {
      const bytes = received.get(Number(part.partNumber));
      if (!bytes) throw new Error(`part ${part.partNumber} of upload ${uploadId} was never uploaded`);
      const hex = createHash("md5").update(bytes).digest("hex");
      if (hex !== part.hexMD5.replace(/"/g, "")) throw new Error(`part ${part.partNumber}: ETag ${part.hexMD5} does not match`);
      whole.update(bytes);
      size += bytes.length;
      if (keepBytes) kept.push(bytes);
    }
    const md5 = whole.digest("base64");
    if (md5 !== file.md5) throw new Error(`assembled file ${file.name} has MD5 ${md5}, declared ${file.md5}`);
    state.blobs.set(md5, { md5, size, bytes: keepBytes ? Buffer.concat(kept) : undefined, birthArtifactId: file.birthArtifactId });
    parts.delete(uploadId);
    return md5;
  };

  async function handleApi(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://localhost");
    if (storageLayout === "api-origin" && url.pathname.startsWith("/storage/")) return handleStorage(req, res);
    const entry: LoggedRequest = { listener: "api", method: req.method ?? "", path: url.pathname, headers: req.headers };
    requests.push(entry);
    const body = await readBody(req);
    const user = userFromBasicAuth(state, req.headers.authorization);
    if (!user) {
      sendJson(res, 401, { errors: [{ message: "user is not logged in" }] });
      return;
    }

    if (req.method === "POST" && url.pathname === "/graphql") {
      const payload = JSON.parse(body.toString("utf8")) as { query: string; variables?: Record<string, unknown>; operationName?: string };
      entry.operationName = payload.operationName;
      const mode = await preFault("graphql", payload.operationName, res);
      if (mode === "stop") return;
      const context: ResolverContext & { completeMultipart: CompleteMultipart } = { user, storageOrigin, completeMultipart };
      const result = await graphql({
        schema: schema(),
        source: payload.query,
        variableValues: payload.variables ?? {},
        operationName: payload.operationName ?? null,
        rootValue,
        contextValue: context,
      });
      if (!("data" in result) || result.data === undefined) {
        const errors = (result.errors ?? []).map((e) => e.message);
        rejectedDocuments.push({ operationName: payload.operationName, errors });
        finish(mode, res, 400, { errors: errors.map((message) => ({ message })) });
        return;
      }
      finish(mode, res, 200, result);
      return;
    }

    const stream = /^\/files\/([^/]+)\/([^/]+)\/([^/]+)\/file_stream$/.exec(url.pathname);
    if (req.method === "POST" && stream) {
      const mode = await preFault("file_stream", undefined, res);
      if (mode === "stop") return;
      const [entity, project, name] = stream.slice(1).map(decodeURIComponent) as [string, string, string];
      const run = state.findRun(entity, project, name);
      if (!run) {
        finish(mode, res, 404, { error: `run ${entity}/${project}/${name} not found` });
        return;
      }
      const parsed = JSON.parse(body.toString("utf8")) as FileStreamBody;
      entry.fileStreamBody = parsed;
      const files = parsed.files ?? {};
      if (Object.keys(files).length === 0 && !parsed.complete) run.heartbeats += 1;
      const overlong = overlongLine(files);
      if (overlong) {
        finish(mode, res, 400, { error: overlong });
        return;
      }
      for (const [fileName, chunk] of Object.entries(files)) {
        const lines = run.streamed.get(fileName) ?? [];
        if (chunk.offset > lines.length) {
          finish(mode, res, 400, { error: `${fileName}: offset ${chunk.offset} leaves a gap after line ${lines.length}` });
          return;
        }
        chunk.content.forEach((line, i) => (lines[chunk.offset + i] = line));
        run.streamed.set(fileName, lines);
      }
      for (const path of parsed.uploaded ?? []) run.uploadedNotices.add(path);
      if (parsed.complete) {
        run.exitcode = parsed.exitcode ?? 0;
        run.state = run.exitcode === 0 ? "finished" : "failed";
      }
      finish(mode, res, 200, { exitcode: null, limits: {} });
      return;
    }
    sendJson(res, 404, { error: `no route ${req.method} ${url.pathname}` });
  }

  async function handleStorage(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://localhost");
    requests.push({ listener: "storage", method: req.method ?? "", path: url.pathname, headers: req.headers });
    if (req.headers.authorization !== undefined) {
      // A signed URL carries its own authorization; credentials on it are refused, as strict hosts do.
      sendJson(res, 403, { error: "signed storage URLs must not carry an Authorization header" });
      return;
    }
    const segments = url.pathname.split("/").slice(2).map(decodeURIComponent);
    const [kind, key, ...rest] = segments;

    if (req.method === "GET") {
      const mode = await preFault("download", undefined, res);
      if (mode === "stop") return;
      const bytes =
        kind === "blobs" ? state.blobs.get(key ?? "")?.bytes
        : kind === "manifests" ? (state.manifests.get(key ?? "")?.bytes ?? undefined)
        : kind === "runs" ? state.runs.find((r) => r.storageId === key)?.files.get(rest.join("/"))
        : undefined;
      if (!bytes) {
        sendJson(res, 404, { error: "not found" });
        return;
      }
      res.writeHead(200, { "content-length": bytes.length, "content-type": "application/octet-stream" });
      res.end(bytes);
      return;
    }
    if (req.method !== "PUT") {
      sendJson(res, 405, { error: "method not allowed" });
      return;
    }
    uploadsInFlight += 1;
    maxConcurrentUploads = Math.max(maxConcurrentUploads, uploadsInFlight);
    try {
      await handleUpload(req, res, kind, key, rest);
    } finally {
      uploadsInFlight -= 1;
    }
  }

  async function handleUpload(req: IncomingMessage, res: ServerResponse, kind: string | undefined, key: string | undefined, rest: string[]): Promise<void> {
    const mode = await preFault("upload", undefined, res);
    if (mode === "stop") return;
    // Stream the body through MD5; keep bytes only when asked (1 GiB benchmarks keep none).
    const hash = createHash("md5");
    const chunks: Buffer[] = [];
    let size = 0;
    const keep = keepBytes || kind !== "blobs";
    for await (const chunk of req) {
      hash.update(chunk as Buffer);
      size += (chunk as Buffer).length;
      if (keep) chunks.push(chunk as Buffer);
    }
    const md5Raw = hash.digest();
    const md5 = md5Raw.toString("base64");
    const declared = req.headers["content-md5"];
    if (declared !== undefined && declared !== md5) {
      finish(mode, res, 400, { error: `Content-MD5 ${String(declared)} does not match the body's MD5 ${md5}` });
      return;
    }
    const bytes = keep ? Buffer.concat(chunks) : undefined;

    if (kind === "blobs") {
      if (declared === undefined) {
        finish(mode, res, 400, { error: "Content-MD5 header is required for artifact file uploads" });
        return;
      }
      if (md5 !== key) {
        finish(mode, res, 400, { error: `body MD5 ${md5} does not match the upload URL's ${key}` });
        return;
      }
      let birth: string | undefined;
      for (const artifact of state.artifacts.values()) {
        for (const file of artifact.files.values()) if (file.md5 === md5) birth ??= file.birthArtifactId;
      }
      if (!state.blobs.has(md5)) state.blobs.set(md5, { md5, size, bytes, birthArtifactId: birth ?? "" });
      finish(mode, res, 200, {});
      return;
    }
    if (kind === "manifests") {
      const manifest = state.manifests.get(key ?? "");
      if (!manifest) {
        finish(mode, res, 404, { error: `manifest ${key} not found` });
        return;
      }
      if (md5 !== manifest.digest) {
        finish(mode, res, 400, { error: `manifest MD5 ${md5} does not match the registered digest ${manifest.digest}` });
        return;
      }
      const parsed = JSON.parse(bytes!.toString("utf8")) as { version?: number; contents?: Record<string, { digest: string }> };
      if (parsed.version !== 1 || typeof parsed.contents !== "object") {
        finish(mode, res, 400, { error: "manifest is not a version 1 manifest" });
        return;
      }
      manifest.bytes = bytes!;
      finish(mode, res, 200, {});
      return;
    }
    if (kind === "runs") {
      const run = state.runs.find((r) => r.storageId === key);
      if (!run) {
        finish(mode, res, 404, { error: `run ${key} not found` });
        return;
      }
      run.files.set(rest.join("/"), bytes!);
      finish(mode, res, 200, {});
      return;
    }
    if (kind === "parts") {
      if (declared === undefined) {
        finish(mode, res, 400, { error: "Content-MD5 header is required for parts" });
        return;
      }
      const received = parts.get(key ?? "") ?? new Map<number, Buffer>();
      received.set(Number(rest[0]), bytes!);
      parts.set(key ?? "", received);
      finish(mode, res, 200, {}, { etag: `"${md5Raw.toString("hex")}"` });
      return;
    }
    sendJson(res, 404, { error: `no storage route ${req.url ?? ""}` });
  }

  function listen(handler: (req: IncomingMessage, res: ServerResponse) => Promise<void>): Promise<Server> {
    const server = createServer((req, res) => {
      handler(req, res).catch((error: unknown) => {
        if (!res.headersSent) sendJson(res, 500, { error: String(error) });
        else res.destroy();
      });
    });
    return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
  }

  const api = await listen(handleApi);
  const apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
  const storage = storageLayout === "own-listener" ? await listen(handleStorage) : undefined;
  storageOrigin = storage ? `http://127.0.0.1:${(storage.address() as AddressInfo).port}` : apiUrl;
  const close = (server: Server) =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return {
    url: apiUrl,
    storageOrigin,
    storageLayout,
    get maxConcurrentUploads() {
      return maxConcurrentUploads;
    },
    state,
    faults,
    requests,
    rejectedDocuments,
    close: async () => {
      await Promise.all([close(api), ...(storage ? [close(storage)] : [])]);
    },
  };
}
