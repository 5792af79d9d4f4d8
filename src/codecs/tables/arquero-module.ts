/**
 * arquero tables from any copy of the library. A user who installs another arquero version than
 * wbflow's (npm cannot dedupe them) builds tables whose class is not wbflow's `ColumnTable`, so
 * tables are recognised by structure, serialized by the copy that built them (its own
 * `toArrowIPC`), and loaded back as tables of the user's copy.
 */
import { ColumnTable, fromArrow, toArrowIPC } from "arquero";
import { userCopyOf } from "./user-library-copy.js";

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

/** Whether `value` is an arquero table, from wbflow's copy or any other. */
export function isArqueroTable(value: unknown): value is ColumnTable {
  if (value instanceof ColumnTable) return true;
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
export function arqueroTableToIPC(table: ColumnTable): Uint8Array {
  if (table instanceof ColumnTable) return toArrowIPC(table, { format: "stream" });
  const shape: object = table;
  foreignClass = shape.constructor as ColumnTableClass;
  return foreignTableToIPC(shape as ArqueroTableShape);
}

function foreignTableToIPC(shape: ArqueroTableShape): Uint8Array {
  if (typeof shape.toArrowIPC === "function") return shape.toArrowIPC({ format: "stream" });
  // An arquero without the method: rebuild the table in wbflow's copy from its columns.
  const names = shape.columnNames();
  return toArrowIPC(new ColumnTable(Object.fromEntries(names.map((name) => [name, shape.column(name)])) as never, names), {
    format: "stream",
  });
}

/**
 * A table of the user's arquero copy from Arrow IPC bytes: the copy whose tables were stored in
 * this process, else the one the current folder resolves, else wbflow's own.
 */
export async function arqueroTableFromIPC(bytes: Uint8Array): Promise<ColumnTable> {
  // useBigInt: int64 columns (only made from bigint values) come back as bigint, not lossy numbers.
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
