/**
 * Which URLs may receive the API key: only those on the base URL's scheme, host and port whose
 * path lies under the base URL's path (W&B's rule). Signed storage URLs never get it, even on the base
 * URL's origin: the HTTP client skips this check for requests marked `signedUrl`.
 */

/** True when `target` is within `baseUrl` (same origin, path under the base path). */
export function isWithinBaseUrl(target: string | URL, baseUrl: string | URL): boolean {
  const t = new URL(target);
  const b = new URL(baseUrl);
  if (t.protocol !== b.protocol || t.hostname !== b.hostname || effectivePort(t) !== effectivePort(b)) return false;
  const basePath = b.pathname.replace(/\/+$/, "");
  return basePath === "" || t.pathname === basePath || t.pathname.startsWith(`${basePath}/`);
}

function effectivePort(url: URL): string {
  if (url.port !== "") return url.port;
  return url.protocol === "https:" ? "443" : url.protocol === "http:" ? "80" : "";
}

/** The `Authorization` header value W&B expects: Basic with user `api` and the key as password. */
export function basicAuthHeader(apiKey: string): string {
  return `Basic ${Buffer.from(`api:${apiKey}`).toString("base64")}`;
}
