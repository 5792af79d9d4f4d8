/**
 * apache-arrow tables from any loaded copy of the library. apache-arrow ships an ES module and a
 * CommonJS build; in a notebook cell `require("apache-arrow")` loads the CommonJS copy while wbflow
 * imports the ES module. `instanceof Table` is true across copies (Arrow checks a marker symbol),
 * but one copy's `tableToIPC` cannot serialize another copy's table (its visitors recognise only
 * their own classes), so a table is always serialized by the copy it was built with.
 */
import * as esArrow from "apache-arrow";
import { createRequire } from "node:module";

/** The parts of an apache-arrow module wbflow uses. */
type ArrowModule = Pick<typeof esArrow, "Table" | "tableToIPC">;

/** Copies found by a table's prototype, so the module cache is searched once per copy. */
const copiesByPrototype = new WeakMap<object, ArrowModule>();

/** Whether `value` was built by this copy's Table class (not merely marked as a table). */
function isOwnTable(arrow: ArrowModule, value: object): boolean {
  return Function.prototype[Symbol.hasInstance].call(arrow.Table, value);
}

/** A CommonJS copy of apache-arrow, among the loaded modules, whose Table built `table`. */
function loadedCommonJsCopyOf(table: object): ArrowModule | undefined {
  const cache = createRequire(import.meta.url).cache;
  for (const entry of Object.values(cache)) {
    const exports = entry?.exports as Partial<ArrowModule> | undefined;
    if (typeof exports?.tableToIPC !== "function" || typeof exports.Table !== "function") continue;
    if (isOwnTable(exports as ArrowModule, table)) return exports as ArrowModule;
  }
  return undefined;
}

/** The apache-arrow module whose Table built `value`, or undefined when it is no table of a loaded copy. */
function arrowModuleOf(value: unknown): ArrowModule | undefined {
  if (typeof value !== "object" || value === null || !esArrow.Table.isTable(value)) return undefined;
  if (isOwnTable(esArrow, value)) return esArrow;
  const prototype = Object.getPrototypeOf(value) as object;
  let copy = copiesByPrototype.get(prototype);
  if (!copy) {
    copy = loadedCommonJsCopyOf(value);
    if (copy) copiesByPrototype.set(prototype, copy);
  }
  return copy;
}

/** Whether a value is an apache-arrow Table that wbflow can serialize (from the ES module or any CommonJS copy). */
export function isArrowTable(value: unknown): value is esArrow.Table {
  return arrowModuleOf(value) !== undefined;
}

/** Arrow IPC (stream format) bytes of a table, written by the apache-arrow copy that built it. */
export function arrowTableToIPC(table: esArrow.Table): Uint8Array {
  const arrow = arrowModuleOf(table);
  if (!arrow) {
    throw new TypeError(
      "This Arrow table comes from a copy of apache-arrow that wbflow cannot find among the loaded modules. " +
        "Build it with the apache-arrow package wbflow uses, or convert it (e.g. with tableFromIPC) first.",
    );
  }
  return arrow.tableToIPC(table, "stream");
}
