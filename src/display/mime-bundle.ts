/**
 * The rich-display protocol: how any object tells a notebook how to show itself.
 *
 * An object is displayed richly when it has either
 * - a `toMimeBundle()` method (wbflow's protocol), or
 * - a `[Symbol.for("Jupyter.display")]()` method (the convention of Deno's Jupyter kernel),
 * returning a MIME bundle — e.g. `{ "text/plain": "...", "text/html": "<table>…" }` — or a promise
 * of one. Every other value is shown as `text/plain` through `util.inspect`, as Node's REPL does.
 * Both methods are looked up by name/registered symbol, so objects from any copy of a library work.
 */
import { inspect } from "node:util";

/** MIME type → representation. Text types hold strings, JSON types any JSON value. */
export type MimeBundle = Record<string, unknown>;

/** An object that renders itself as a MIME bundle (wbflow's display protocol). */
export interface MimeRenderable {
  /** Returns the representations of this object; `text/plain` should always be present. */
  toMimeBundle(): MimeBundle | Promise<MimeBundle>;
}

/** The symbol Deno's Jupyter kernel looks for (`Deno.jupyter.$display`). */
export const jupyterDisplaySymbol: unique symbol = Symbol.for("Jupyter.display") as never;

/** True when `value` implements one of the display protocols. */
export function isMimeRenderable(value: unknown): boolean {
  if ((typeof value !== "object" && typeof value !== "function") || value === null) return false;
  const candidate = value as Record<string | symbol, unknown>;
  return typeof candidate.toMimeBundle === "function" || typeof candidate[jupyterDisplaySymbol] === "function";
}

/**
 * The MIME bundle for `value`: its own bundle when it implements a display protocol (with
 * `text/plain` added when missing), otherwise `text/plain` from `util.inspect`.
 */
export async function mimeBundleOf(value: unknown): Promise<MimeBundle> {
  if (isMimeRenderable(value)) {
    const candidate = value as Record<string | symbol, () => unknown>;
    const render = typeof candidate.toMimeBundle === "function" ? candidate.toMimeBundle : candidate[jupyterDisplaySymbol]!;
    const bundle = (await render.call(value)) as MimeBundle | null | undefined;
    if (bundle && typeof bundle === "object") return withPlainText(normalizeBundle(bundle), value);
  }
  return { "text/plain": plainText(value) };
}

/** `util.inspect` with the settings Node's REPL uses for results. */
export function plainText(value: unknown): string {
  return typeof value === "string" ? inspect(value) : inspect(value, { depth: 2, colors: false });
}

function withPlainText(bundle: MimeBundle, value: unknown): MimeBundle {
  if (typeof bundle["text/plain"] === "string") return bundle;
  return { "text/plain": plainText(value), ...bundle };
}

/** Binary representations (images) travel as base64 strings on the Jupyter wire. */
function normalizeBundle(bundle: MimeBundle): MimeBundle {
  const normalized: MimeBundle = {};
  for (const [mime, data] of Object.entries(bundle)) {
    normalized[mime] = data instanceof Uint8Array ? Buffer.from(data).toString("base64") : data;
  }
  return normalized;
}
