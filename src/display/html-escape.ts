/** Escaping for HTML text and attribute values: every user-provided string goes through here. */

const ENTITIES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** Escapes `text` for use in HTML text or a quoted attribute value. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => ENTITIES[ch]!);
}

/** Stands in for the page a relative URL is resolved against; only its scheme matters. */
const RELATIVE_BASE = "http://relative.invalid/";

/**
 * A URL safe to put in `href`/`src`: only http(s) and relative URLs are kept; anything else becomes
 * "#". The URL is parsed as a browser parses it (which drops tabs, newlines and leading control
 * characters, so `"java\tscript:"` is `javascript:`), and the scheme it really has decides.
 */
export function safeUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url, RELATIVE_BASE);
  } catch {
    return "#";
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") return "#";
  return escapeHtml(url.replace(/[\u0000-\u001f\u007f]/g, "").trim());
}
