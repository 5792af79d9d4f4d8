/** The artifacts table: name, type, version, size, the run that produced it, the runs that used it. */
import { htmlTable, textTable, type TableCell } from "./html-table.js";
import { formatBytes } from "./short-value.js";

/** One artifact version. */
export interface ArtifactRowData {
  name: string;
  type: string;
  /** e.g. "v3". */
  version: string;
  /** Total size in bytes. */
  size: number;
  /** The run that logged it (name or path). */
  producer: string;
  /** The runs that used it. */
  consumers: readonly string[];
  /** Optional link to the artifact page. */
  url?: string;
}

const HEADERS = ["name", "type", "version", "size", "producer", "consumers"];

function cells(row: ArtifactRowData): TableCell[] {
  return [row.name, row.type, row.version, formatBytes(row.size), row.producer, row.consumers.join(", ") || "—"];
}

/** The table as HTML (class `wbflow-artifacts-table`). */
export function artifactsTableHtml(rows: readonly ArtifactRowData[]): string {
  return htmlTable(HEADERS, rows.map(cells), "wbflow-artifacts-table");
}

/** The table as plain text. */
export function artifactsTableText(rows: readonly ArtifactRowData[]): string {
  return textTable(HEADERS, rows.map(cells));
}
