/**
 * A stored value as a few lines of text for a terminal or a notebook: short values inline, long ones
 * cut, tables (arquero or Arrow) as their shape and first rows. Pure: tables are recognised by shape,
 * so this file loads no table library.
 */
import { textTable } from "./html-table.js";

/** Rows a table preview shows. */
export const PREVIEW_ROWS = 5;
/** Characters an inline value shows before it is cut. */
export const PREVIEW_CHARS = 120;

/** What `previewValue` found: the type, the shape of tables, and the text. */
export interface ValuePreview {
  /** e.g. "number", "string", "Array[3]", "table". */
  type: string;
  /** `[rows, columns]` for tables. */
  shape?: [number, number];
  /** One line for plain values; a small table for tables. */
  text: string;
}

interface ArqueroLike {
  numRows(): number;
  numCols(): number;
  columnNames(): string[];
  objects(options: { limit: number }): Array<Record<string, unknown>>;
}

interface ArrowLike {
  numRows: number;
  numCols: number;
  schema: { fields: Array<{ name: string }> };
  get(index: number): { toJSON(): Record<string, unknown> } | null;
}

function isArqueroTable(value: unknown): value is ArqueroLike {
  const v = value as Partial<ArqueroLike> | null;
  return typeof v === "object" && v !== null && typeof v.numRows === "function" && typeof v.columnNames === "function" && typeof v.objects === "function";
}

function isArrowTable(value: unknown): value is ArrowLike {
  const v = value as Partial<ArrowLike> | null;
  return typeof v === "object" && v !== null && typeof v.numRows === "number" && Array.isArray(v.schema?.fields) && typeof v.get === "function";
}

/** Whether `value` is a table (arquero or Arrow) that previews as rows and columns. */
export function isTableValue(value: unknown): boolean {
  return isArqueroTable(value) || isArrowTable(value);
}

function cut(text: string, limit = PREVIEW_CHARS): string {
  return text.length > limit ? `${text.slice(0, limit - 1)}…` : text;
}

function cellText(value: unknown): string {
  if (typeof value === "string") return cut(value, 30);
  if (typeof value === "bigint") return String(value);
  if (value === undefined) return "";
  return cut(inlineText(value), 30);
}

/** JSON-like one-line text of a value (bigint, Map, Set, Date and bytes spelled out). */
export function inlineText(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "bigint") return `${value}n`;
  if (typeof value === "function") return `[function ${value.name || "anonymous"}]`;
  if (value === undefined) return "undefined";
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Uint8Array) return `<${value.byteLength} bytes>`;
  if (value instanceof Map) return `Map(${value.size}) ${inlineText(Object.fromEntries(value))}`;
  if (value instanceof Set) return `Set(${value.size}) ${inlineText([...value])}`;
  try {
    return JSON.stringify(value, (_key, v: unknown) => (typeof v === "bigint" ? `${v}n` : v)) ?? String(value);
  } catch {
    return String(value);
  }
}

function typeOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return `Array[${value.length}]`;
  if (value instanceof Uint8Array) return "bytes";
  if (typeof value === "object") {
    const name = (Object.getPrototypeOf(value) as { constructor?: { name?: string } } | null)?.constructor?.name;
    return name && name !== "Object" ? name : "object";
  }
  return typeof value;
}

function tablePreview(columns: string[], rows: Array<Record<string, unknown>>, numRows: number): string {
  const body = rows.map((row) => columns.map((column) => cellText(row[column])));
  const more = numRows > rows.length ? `\n… ${numRows - rows.length} more rows` : "";
  return `${textTable(columns, body)}${more}`;
}

/** The preview of one value. */
export function previewValue(value: unknown): ValuePreview {
  if (isArqueroTable(value)) {
    const shape: [number, number] = [value.numRows(), value.numCols()];
    return { type: "table", shape, text: tablePreview(value.columnNames(), value.objects({ limit: PREVIEW_ROWS }), shape[0]) };
  }
  if (isArrowTable(value)) {
    const shape: [number, number] = [value.numRows, value.schema.fields.length];
    const rows = Array.from({ length: Math.min(PREVIEW_ROWS, value.numRows) }, (_, i) => value.get(i)?.toJSON() ?? {});
    return { type: "Arrow table", shape, text: tablePreview(value.schema.fields.map((f) => f.name), rows, shape[0]) };
  }
  return { type: typeOf(value), text: cut(inlineText(value)) };
}

/**
 * A JSON-ready form of a value for `--json` output: plain values as they are (bigint as a string,
 * Map as an object, Set as an array, bytes as their length), tables as their shape, columns and
 * first rows.
 */
export function jsonPreview(value: unknown): unknown {
  if (isArqueroTable(value)) {
    return { table: { shape: [value.numRows(), value.numCols()], columns: value.columnNames(), head: jsonPreview(value.objects({ limit: PREVIEW_ROWS })) } };
  }
  if (isArrowTable(value)) {
    const rows = Array.from({ length: Math.min(PREVIEW_ROWS, value.numRows) }, (_, i) => value.get(i)?.toJSON() ?? {});
    return { table: { shape: [value.numRows, value.schema.fields.length], columns: value.schema.fields.map((f) => f.name), head: jsonPreview(rows) } };
  }
  if (typeof value === "bigint") return String(value);
  if (value instanceof Uint8Array) return { bytes: value.byteLength };
  if (value instanceof Map) return jsonPreview(Object.fromEntries(value));
  if (value instanceof Set) return jsonPreview([...value]);
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(jsonPreview);
  if (typeof value === "object" && value !== null) {
    if (typeof (value as { toJSON?: unknown }).toJSON === "function") return value;
    return Object.fromEntries(Object.entries(value).map(([key, v]) => [key, jsonPreview(v)]));
  }
  if (typeof value === "function" || typeof value === "symbol") return String(value);
  return value ?? null;
}
