/**
 * The HTTP layer every online call goes through: attaches the API key only to API requests under
 * the base URL (never to a signed storage URL, even on the API's own origin), retries by policy
 * with backoff (injectable sleep), and turns failures into clear errors.
 */
import { WandbApiError, WandbAuthError, WandbNotFoundError, WandbUnreachableError, WandbUploadError } from "./api-errors.js";
import { basicAuthHeader, isWithinBaseUrl } from "./credential-scope.js";
import { AttemptNetworkError, AttemptSourceError, sendAttempt, type AttemptResponse, type RequestBody } from "./http-attempt.js";
import { retryDelayMs, type RetryPolicy } from "./retry-policy.js";
import { realTiming, type NetworkTiming } from "./network-timing.js";

/** How to reach a W&B server. */
export interface ServerConnection {
  /** API base URL, e.g. `https://api.wandb.ai` (trailing slashes are ignored). */
  baseUrl: string;
  apiKey: string;
  /** Injectable time (tests); real time by default. */
  timing?: NetworkTiming;
  /** Overrides every policy's per-attempt idle timeout (tests of slow responses). */
  attemptTimeoutMs?: number;
  /** Sent as User-Agent. */
  userAgent?: string;
  /** Called before each retry, e.g. to tell the user the server is slow. */
  onRetry?: (event: RetryEvent) => void;
  /**
   * Gives up once the server has not answered for this long (counted from the first unanswered
   * attempt; any answer resets it), whatever the policy's attempt count: live runs set it so a
   * flow never waits long on a dead server (see `LIVE_RUN_PATIENCE_MS`). Also caps each attempt's
   * idle timeout.
   */
  giveUpAfterMs?: number;
}

/** One retry about to happen. */
export interface RetryEvent {
  policy: string;
  attempt: number;
  delayMs: number;
  reason: string;
}

/** A request through the client. */
export interface ClientRequest {
  method: "GET" | "POST" | "PUT";
  /** Absolute URL, or a path relative to the base URL (starting with `/`). */
  url: string;
  headers?: Record<string, string>;
  body?: RequestBody;
  onBodyProgress?: (sentBytes: number) => void;
  /** What this request is, for error messages, e.g. "GraphQL UpsertBucket". */
  what: string;
  /**
   * True for a URL the server handed out for storage (upload URL, `directUrl`, manifest or file
   * download URL). Such a URL carries its own authorization: it never gets the API key, whatever
   * its origin (W&B Server with local storage serves `/storage` beside `/graphql`), and a 401/403
   * from it is the storage host refusing the URL, not a problem with the key.
   */
  signedUrl?: boolean;
}

/** The HTTP client bound to one server and key. */
export class WandbHttpClient {
  readonly baseUrl: string;
  private readonly timing: NetworkTiming;
  /** When the current run of unanswered attempts began (shared by all requests of this client). */
  private unansweredSinceMs: number | undefined;

  constructor(private readonly connection: ServerConnection) {
    this.baseUrl = connection.baseUrl.replace(/\/+$/, "");
    this.timing = connection.timing ?? realTiming;
  }

  /** Resolves a path against the base URL. */
  urlFor(pathOrUrl: string): URL {
    return /^https?:\/\//.test(pathOrUrl) ? new URL(pathOrUrl) : new URL(`${this.baseUrl}${pathOrUrl}`);
  }

  /**
   * Sends the request, retrying per `policy`. Resolves with a 2xx response; rejects with
   * `WandbAuthError` (401/403, never retried), `WandbNotFoundError` (404), `WandbApiError` (another
   * status not retried) or `WandbUnreachableError` (retries exhausted).
   */
  async send(request: ClientRequest, policy: RetryPolicy): Promise<AttemptResponse> {
    const url = this.urlFor(request.url);
    const headers: Record<string, string> = { "user-agent": this.connection.userAgent ?? "wbflow", ...request.headers };
    const toApi = request.signedUrl !== true && isWithinBaseUrl(url, this.baseUrl);
    if (toApi) headers["authorization"] = basicAuthHeader(this.connection.apiKey);
    const where = `${request.what} (${url.origin}${url.pathname})`;
    let lastProblem = "";
    const patience = this.connection.giveUpAfterMs;
    const idleTimeoutMs = Math.min(this.connection.attemptTimeoutMs ?? policy.attemptTimeoutMs, patience ?? Infinity);
    for (let attempt = 1; attempt <= policy.maxAttempts; attempt++) {
      let retryAfter: string | undefined;
      const attemptStartMs = this.timing.now();
      try {
        const response = await sendAttempt({
          method: request.method,
          url,
          headers,
          body: request.body,
          idleTimeoutMs,
          onBodyProgress: request.onBodyProgress,
        });
        if (!policy.retriesStatus(response.status) || response.status < 300) this.unansweredSinceMs = undefined; // it answered
        if (response.status >= 200 && response.status < 300) return response;
        const detail = summarizeBody(this.redact(response.body.toString("utf8", 0, Math.min(response.body.length, 65_536))));
        const refused = response.status === 401 || response.status === 403; // never retried, whatever the policy
        if (refused || !policy.retriesStatus(response.status)) throw this.refusal(response, detail, where, toApi);
        lastProblem = `HTTP ${response.status}${detail}`;
        const header = response.headers["retry-after"];
        retryAfter = Array.isArray(header) ? header[0] : header;
      } catch (error) {
        if (error instanceof AttemptSourceError) {
          throw new WandbUploadError(`${where}: ${error.message}; the local bytes to send are gone or unreadable, so this is not retried.`);
        }
        if (!(error instanceof AttemptNetworkError)) throw error;
        lastProblem = error.message;
      }
      if (attempt === policy.maxAttempts) break;
      this.unansweredSinceMs ??= attemptStartMs;
      const delayMs = retryDelayMs(policy, attempt, this.timing.random, retryAfter, this.timing.now());
      if (patience !== undefined && this.timing.now() + delayMs - this.unansweredSinceMs > patience) {
        throw new WandbUnreachableError(`${where}: no answer for ${Math.round(patience / 1000)} s; last problem: ${lastProblem}`);
      }
      this.connection.onRetry?.({ policy: policy.name, attempt, delayMs, reason: lastProblem });
      await this.timing.sleep(delayMs);
    }
    throw new WandbUnreachableError(
      `${where}: gave up after ${policy.maxAttempts} attempts; last problem: ${lastProblem}.`,
    );
  }
  /**
   * `text` (from a server's answer) with the API key taken out, in the clear and as sent in the
   * Authorization header: a proxy or server that echoes the request in its error page would
   * otherwise put the key into an error message.
   */
  redact(text: string): string {
    const key = this.connection.apiKey;
    if (key === "") return text;
    const header = basicAuthHeader(key);
    const encoded = header.slice("Basic ".length);
    return [key, encoded, encodeURIComponent(key)].reduce((out, secret) => out.split(secret).join("***"), text);
  }

  /** The error for an answer that retrying cannot change. */
  private refusal(response: AttemptResponse, detail: string, where: string, toApi: boolean): Error {
    const status = response.status;
    if (status >= 300 && status < 400) return this.redirectRefusal(response, where, toApi);
    if ((status === 401 || status === 403) && !toApi) {
      // A storage host refusing a signed URL says nothing about the API key (it was not sent).
      return new WandbUploadError(
        `${where}: the storage host refused the signed URL (HTTP ${status}${detail}); the URL may have expired. ` +
          "Nothing is lost: try again (`wbflow sync` resends what did not arrive).",
        status,
      );
    }
    if (status === 401 || status === 403) {
      return new WandbAuthError(
        `${where}: the server refused the API key (HTTP ${status}${detail}). ` +
          `Check the key at ${this.baseUrl} and log in again with \`wbflow login --relogin\`.`,
        status,
      );
    }
    const ErrorClass = status === 404 ? WandbNotFoundError : WandbApiError;
    const hint = status === 404 ? " Check the entity and project names and that the run exists." : "";
    return new ErrorClass(`${where}: HTTP ${status}${detail}.${hint}`, status);
  }

  /**
   * A redirect is never followed: the request (and its key) goes only where the user pointed it.
   * The message names where the server wanted to go (credentials stripped) and what to change.
   */
  private redirectRefusal(response: AttemptResponse, where: string, toApi: boolean): Error {
    const header = response.headers["location"];
    const location = Array.isArray(header) ? header[0] : header;
    let target = "";
    try {
      if (location) target = urlForMessage(new URL(location, this.baseUrl));
    } catch {
      // an unparsable Location names nothing useful
    }
    const to = target === "" ? "" : ` to ${target}`;
    const todo = toApi
      ? `wbflow does not follow redirects, so the API key goes only to ${this.baseUrl}. If the server moved (e.g. to https), ` +
        "set its new API URL as base_url (WANDB_BASE_URL, or --host for wbflow login and sync) and try again."
      : "Nothing is lost: try again (`wbflow sync` resends what did not arrive).";
    return new WandbApiError(`${where}: the server answered with a redirect (HTTP ${response.status})${to}. ${todo}`, response.status);
  }
}

/** A URL for messages: no user or password, no query (signed URLs carry their signature there). */
function urlForMessage(url: URL): string {
  return `${url.origin}${url.pathname}`;
}

/** A short excerpt of an error body (already redacted: cutting first could leave part of the key) for messages. */
function summarizeBody(text: string): string {
  const excerpt = text.slice(0, 300).trim();
  return excerpt === "" ? "" : `: ${excerpt}`;
}
