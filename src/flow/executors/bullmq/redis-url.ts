/**
 * The Redis URL of a cluster (`redis://[user:password@]host:port[/db]`, or `rediss://` for TLS).
 * It may carry a password, so it is shown only masked and every message that could quote it is
 * cleaned before it is printed or stored.
 */

/** A Redis URL that is not one. */
export class RedisUrlError extends Error {
  override name = "RedisUrlError";
}

/** Where the URL comes from when no `--redis` / `redis` option is given (keeps it out of `ps`). */
export const REDIS_URL_ENV = "WBFLOW_REDIS_URL";

/**
 * The Redis URL to use: `given` (an option), else `$WBFLOW_REDIS_URL`, checked. `missing` is the
 * message when neither is set: each caller says how to give it where it is used.
 * @throws RedisUrlError (its message shows the URL masked).
 */
export function redisUrlFrom(given: string | undefined, env: NodeJS.ProcessEnv, missing: string): string {
  const url = given ?? env[REDIS_URL_ENV];
  if (!url) throw new RedisUrlError(missing);
  return checkRedisUrl(url);
}

/**
 * Checks that `url` is a redis:// or rediss:// URL with a host.
 * @throws RedisUrlError (its message shows the URL masked).
 */
export function checkRedisUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new RedisUrlError(`"${maskRedisUrl(url)}" is not a Redis URL. Give one like redis://host:6379 or redis://:password@host:6379/0.`);
  }
  if (parsed.protocol !== "redis:" && parsed.protocol !== "rediss:") {
    throw new RedisUrlError(`${maskRedisUrl(url)} is not a Redis URL: it must start with redis:// (or rediss:// for TLS).`);
  }
  if (!parsed.hostname) throw new RedisUrlError(`${maskRedisUrl(url)} names no host. Give one like redis://host:6379.`);
  return url;
}

/**
 * The URL with its password (and user, if any) replaced by `***`, safe to print. Everything up to
 * the last `@` counts as credentials, so a password with a raw `@` or `/`, or a mistyped scheme
 * (`redis//:pw@host`), is masked too.
 */
export function maskRedisUrl(url: string): string {
  const at = url.lastIndexOf("@");
  if (at < 0) return url;
  const schemeEnd = url.indexOf("://");
  const start = schemeEnd >= 0 && schemeEnd < at ? schemeEnd + 3 : 0;
  const credentials = url.slice(start, at);
  const colon = credentials.indexOf(":");
  const user = colon > 0 ? credentials.slice(0, colon) : "";
  return `${url.slice(0, start)}${user}${user ? ":" : ""}***${url.slice(at)}`;
}

/**
 * `text` with the URL's password (as written and percent-decoded) and the whole URL replaced by
 * their masked forms: for error messages of the Redis client, which may quote either.
 */
export function redactRedisSecrets(text: string, url: string): string {
  let cleaned = text.split(url).join(maskRedisUrl(url));
  let password = "";
  try {
    password = new URL(url).password;
  } catch {
    // not a URL: nothing more to find
  }
  for (const secret of new Set([password, safeDecode(password)])) {
    if (secret.length > 0) cleaned = cleaned.split(secret).join("***");
  }
  return cleaned;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
