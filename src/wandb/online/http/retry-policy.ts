/**
 * W&B's retry rules (reference §1.8, §3.1): which answers are worth another attempt, how long to
 * wait (exponential backoff with jitter, honouring `Retry-After`) and how often to try.
 */

/** How one kind of request is retried. */
export interface RetryPolicy {
  /** Used in error messages, e.g. "GraphQL". */
  name: string;
  /** Attempts in total, the first included. */
  maxAttempts: number;
  /** First backoff wait; doubles with every attempt. */
  minWaitMs: number;
  /** Upper bound of one wait (also of a server's `Retry-After`). */
  maxWaitMs: number;
  /** An attempt fails when no bytes move for this long. */
  attemptTimeoutMs: number;
  /** Whether an HTTP status (not 2xx) is retried. Network errors always are. */
  retriesStatus(status: number): boolean;
}

/** Statuses W&B never retries: the same request would fail the same way. */
const NEVER_RETRIED = new Set([400, 401, 403, 404, 409, 410, 413, 422, 501]);

function defaultRetries(status: number): boolean {
  return status >= 400 && !NEVER_RETRIED.has(status);
}

/**
 * How long a live run (one a flow or notebook is running) keeps trying a server that does not
 * answer: 30 s from the first unanswered attempt. Then the run's upload stops, the run stays
 * offline (its log has everything) and the user is told to `wbflow sync` it; `wbflow sync` itself
 * uses the full policies below, since there the user asked to wait for the server.
 */
export const LIVE_RUN_PATIENCE_MS = 30_000;

/** GraphQL requests: 20 retries, 2–60 s, 30 s per attempt. */
export const GRAPHQL_RETRY_POLICY: RetryPolicy = {
  name: "GraphQL",
  maxAttempts: 21,
  minWaitMs: 2_000,
  maxWaitMs: 60_000,
  attemptTimeoutMs: 30_000,
  retriesStatus: defaultRetries,
};

/** Login checks: a person is waiting, so a host that does not answer fails after three tries. */
export const LOGIN_RETRY_POLICY: RetryPolicy = {
  ...GRAPHQL_RETRY_POLICY,
  name: "login",
  maxAttempts: 3,
  attemptTimeoutMs: 20_000,
};

/** upsertBucket: like GraphQL, but 409 (a concurrent upsert) is retried. */
export const UPSERT_RETRY_POLICY: RetryPolicy = {
  ...GRAPHQL_RETRY_POLICY,
  name: "upsertBucket",
  retriesStatus: (status) => status === 409 || defaultRetries(status),
};

/**
 * file_stream: W&B's wandb-core retries for days (10 085 attempts). Here every record is already in
 * the offline log, so after the GraphQL patience (about 15 minutes) the sender stops and the user
 * syncs later; the 180 s per-attempt timeout is W&B's.
 */
export const FILE_STREAM_RETRY_POLICY: RetryPolicy = {
  name: "file_stream",
  maxAttempts: 21,
  minWaitMs: 2_000,
  maxWaitMs: 60_000,
  attemptTimeoutMs: 180_000,
  retriesStatus: defaultRetries,
};

/** Uploads to storage hosts. */
export const UPLOAD_RETRY_POLICY: RetryPolicy = {
  name: "upload",
  maxAttempts: 21,
  minWaitMs: 2_000,
  maxWaitMs: 60_000,
  attemptTimeoutMs: 120_000,
  retriesStatus: defaultRetries,
};

/**
 * The wait before attempt `attempt + 1` (attempt counts from 1): the server's `Retry-After` when
 * given, else `minWait · 2^(attempt−1)` plus up to 25 % jitter, capped at `maxWait`.
 */
export function retryDelayMs(
  policy: RetryPolicy,
  attempt: number,
  random: () => number,
  retryAfter: string | undefined,
  nowMs: number,
): number {
  const hinted = parseRetryAfterMs(retryAfter, nowMs);
  if (hinted !== undefined) return Math.min(hinted, policy.maxWaitMs);
  const base = policy.minWaitMs * 2 ** Math.min(attempt - 1, 30);
  return Math.min(policy.maxWaitMs, base * (1 + 0.25 * random()));
}

/** `Retry-After` is either delta-seconds or an HTTP date. */
function parseRetryAfterMs(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined || value.trim() === "") return undefined;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}
