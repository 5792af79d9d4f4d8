/** Foreach fan-out: what a split iterates over, and the frames its child tasks carry. */
import { ForeachError } from "../errors.js";

/** One level of foreach nesting, as stored in `_foreach_stack` (Metaflow's ForeachFrame). */
export interface ForeachFrame {
  /** The child step of the split. */
  step: string;
  /** The artifact iterated over. */
  var: string;
  numSplits: number;
  index: number;
  /** The element, as a short string for display. */
  value: string;
}

/** The public view of a frame returned by `this.foreachStack()`. */
export interface ForeachStackEntry {
  index: number;
  numSplits: number;
  /** The element itself, or undefined when the iterated artifact is not available in this task. */
  value: unknown;
}

const MAX_VALUE_CHARS = 30;

/**
 * The elements a foreach iterates over. Any iterable works (arrays, strings, Sets, Maps as
 * `[key, value]` pairs). Plain objects are refused rather than guessed at: use `Object.entries(...)`.
 */
export function foreachElements(value: unknown, varName: string, stepName: string): unknown[] {
  if (value !== null && value !== undefined && typeof (value as { [Symbol.iterator]?: unknown })[Symbol.iterator] === "function") {
    return Array.from(value as Iterable<unknown>);
  }
  const kind = value === null ? "null" : Array.isArray(value) ? "array" : typeof value;
  const hint =
    kind === "object"
      ? " To iterate over an object's entries, store `Object.entries(obj)` (or its keys) in the artifact."
      : "";
  throw new ForeachError(
    `Step '${stepName}' fans out over this.${varName}, but its value (${kind}) is not iterable. ` +
      `Assign an array (or another iterable) to this.${varName} before this.next(...).${hint}`,
  );
}

/** A short display string for a foreach element. */
export function foreachValueLabel(element: unknown): string {
  let text: string;
  if (typeof element === "string") text = element;
  else if (typeof element === "number" || typeof element === "boolean" || typeof element === "bigint") text = String(element);
  else {
    try {
      text = JSON.stringify(element) ?? String(element);
    } catch {
      text = Object.prototype.toString.call(element);
    }
  }
  return text.length > MAX_VALUE_CHARS ? `${text.slice(0, MAX_VALUE_CHARS - 3)}...` : text;
}
