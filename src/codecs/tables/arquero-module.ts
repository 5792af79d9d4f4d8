/**
 * arquero tables from any copy of the library. A user who installs another arquero version than
 * wbflow's (npm cannot dedupe them) builds tables whose class is not wbflow's `ColumnTable`, so
 * tables are recognised by structure, serialized by the copy that built them (its own
 * `toArrowIPC`), and loaded back as tables of the user's copy.
 */
import type { ColumnTable } from "arquero";
import { userCopyOf } from "./user-library-copy.js";

/** wbflow's own arquero, loaded on first use: a flow without tables (and every worker start) skips its ~130 ms. */
let ownArquero: Promise<typeof import("arquero")> | undefined;
const loadOwnArquero = () => (ownArquero ??= import("arquero"));

/** The members of a ColumnTable wbflow relies on, present in every arquero version since 5. */
interface ArqueroTableShape {
  numRows(): number;
  numCols(): number;
  columnNames(): string[];
  column(name: string): unknown;
  toArrowIPC?(options: { format: "stream" }): Uint8Array;
}

/** A constructor of some copy's ColumnTable: `new (columns, names)` builds a table over those columns. */
type ColumnTableClass = new (columns: Record<string, unknown>, names?: string[]) => ColumnTable;

/** The ColumnTable class of the last foreign copy whose table was stored, to load tables back as that type. */
let foreignClass: ColumnTableClass | undefined;

/** Whether `value` is an arquero table, from wbflow's copy or any other (by its members: no copy needs loading). */
export function isArqueroTable(value: unknown): value is ColumnTable {
  if (typeof value !== "object" || value === null) return false;
  const table = value as Partial<Record<keyof ArqueroTableShape | "groupby" | "derive", unknown>>;
  return (
    typeof table.numRows === "function" &&
    typeof table.numCols === "function" &&
    typeof table.columnNames === "function" &&
    typeof table.column === "function" &&
    typeof table.groupby === "function" &&
    typeof table.derive === "function"
  );
}

/** Arrow IPC (stream format) bytes of a table, written by the arquero copy that built it. */
export async function arqueroTableToIPC(table: ColumnTable): Promise<Uint8Array> {
  const { ColumnTable: OwnColumnTable, toArrowIPC } = await loadOwnArquero();
  if (table instanceof OwnColumnTable) return toArrowIPC(table, { format: "stream" });
  const shape: object = table;
  foreignClass = shape.constructor as ColumnTableClass;
  if (typeof (shape as ArqueroTableShape).toArrowIPC === "function") return (shape as ArqueroTableShape).toArrowIPC!({ format: "stream" });
  return rebuiltInOwnCopy(shape as ArqueroTableShape, OwnColumnTable, toArrowIPC);
}

/** An arquero without `toArrowIPC`: the table rebuilt in wbflow's copy from its columns, then written. */
function rebuiltInOwnCopy(shape: ArqueroTableShape, OwnColumnTable: typeof ColumnTable, toArrowIPC: typeof import("arquero").toArrowIPC): Uint8Array {
  const names = shape.columnNames();
  return toArrowIPC(new OwnColumnTable(Object.fromEntries(names.map((name) => [name, shape.column(name)])) as never, names), {
    format: "stream",
  });
}

/**
 * A table of the user's arquero copy from Arrow IPC bytes: the copy whose tables were stored in
 * this process, else the one the current folder resolves, else wbflow's own.
 */
export async function arqueroTableFromIPC(bytes: Uint8Array): Promise<ColumnTable> {
  // useBigInt: int64 columns (only made from bigint values) come back as bigint, not lossy numbers.
  const { fromArrow } = await loadOwnArquero();
  const ours = fromArrow(bytes, { useBigInt: true });
  if (foreignClass) return rebuildIn(foreignClass, ours);
  const user = await userCopyOf<{ fromArrow?: typeof fromArrow }>("arquero");
  return typeof user?.fromArrow === "function" ? user.fromArrow(bytes, { useBigInt: true }) : ours;
}

/** The same columns as a table of another copy's class (columns are shared, not copied). */
function rebuildIn(Class: ColumnTableClass, table: ColumnTable): ColumnTable {
  const names = table.columnNames();
  return new Class(Object.fromEntries(names.map((name) => [name, table.column(name)])), names);
}
