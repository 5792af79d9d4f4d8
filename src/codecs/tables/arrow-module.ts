/**
 * apache-arrow tables from any loaded copy of the library. apache-arrow ships an ES module and a
 * CommonJS build; in a notebook cell `require("apache-arrow")` loads the CommonJS copy while wbflow
 * imports the ES module, and a user may install another version than wbflow's. Tables are
 * recognised by Arrow's own cross-copy marker (`Table.isTable`), but one copy's `tableToIPC`
 * cannot serialize another copy's table (its visitors recognise only their own classes), so a
 * table is always serialized by the copy it was built with, and loaded back by the user's copy.
 */
import type * as esArrow from "apache-arrow";
import { createRequire } from "node:module";
import { userCopyOf } from "./user-library-copy.js";

/** The parts of an apache-arrow module wbflow uses. */
type ArrowModule = Pick<typeof esArrow, "Table" | "tableToIPC" | "tableFromIPC">;

/** wbflow's own apache-arrow (ES module), loaded on first use: a flow without tables (and every worker start) skips its ~190 ms. */
let ownArrow: Promise<ArrowModule> | undefined;
const loadOwnArrow = () => (ownArrow ??= import("apache-arrow"));

/** Arrow's cross-copy marker of a Table (what `Table.isTable` checks), readable without loading a copy. */
const TABLE_MARKER = Symbol.for("apache-arrow/Table");

/** The last foreign copy whose table was stored, to load tables back as that copy's type. */
let foreignCopy: ArrowModule | undefined;

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

/** The apache-arrow module whose Table built `table`: wbflow's, a loaded CommonJS copy, or the user's ES module copy. */
async function arrowModuleOf(table: object): Promise<ArrowModule | undefined> {
  const own = await loadOwnArrow();
  if (isOwnTable(own, table)) return own;
  const prototype = Object.getPrototypeOf(table) as object;
  let copy = copiesByPrototype.get(prototype) ?? loadedCommonJsCopyOf(table);
  if (!copy) {
    const user = await userCopyOf<ArrowModule>("apache-arrow");
    if (user && typeof user.Table === "function" && isOwnTable(user, table)) copy = user;
  }
  if (copy) copiesByPrototype.set(prototype, copy);
  return copy;
}

/** Whether a value is an apache-arrow Table, from any copy or version (Arrow's own marker check). */
export function isArrowTable(value: unknown): value is esArrow.Table {
  return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[TABLE_MARKER] === true;
}

/** Arrow IPC (stream format) bytes of a table, written by the apache-arrow copy that built it. */
export async function arrowTableToIPC(table: esArrow.Table): Promise<Uint8Array> {
  const arrow = await arrowModuleOf(table);
  if (!arrow) {
    throw new TypeError(
      "This Arrow table comes from a copy of apache-arrow that wbflow cannot find: neither loaded with require() " +
        "nor the one this folder's node_modules resolves. Build it with that copy, or convert it (e.g. with tableFromIPC) first.",
    );
  }
  if (arrow !== (await loadOwnArrow())) foreignCopy = arrow;
  return arrow.tableToIPC(table, "stream");
}

/**
 * A table of the user's apache-arrow copy from Arrow IPC bytes: the copy whose tables were stored
 * in this process, else the ES module copy the current folder resolves, else wbflow's own.
 */
export async function arrowTableFromIPC(bytes: Uint8Array): Promise<esArrow.Table> {
  const user = foreignCopy ?? (await userCopyOf<ArrowModule>("apache-arrow"));
  return typeof user?.tableFromIPC === "function" ? user.tableFromIPC(bytes) : (await loadOwnArrow()).tableFromIPC(bytes);
}
