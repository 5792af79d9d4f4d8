/** Escaping for HTML text and attribute values: every user-provided string goes through here. */

const ENTITIES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** Escapes `text` for use in HTML text or a quoted attribute value. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => ENTITIES[ch]!);
}

/** A URL safe to put in `href`/`src`: only http(s) and relative URLs are kept; anything else becomes "#". */
export function safeUrl(url: string): string {
  const trimmed = url.trim();
  if (/^https?:\/\//i.test(trimmed) || /^[./#?]/.test(trimmed) || !/^[a-z][a-z0-9+.-]*:/i.test(trimmed)) return escapeHtml(trimmed);
  return "#";
}
