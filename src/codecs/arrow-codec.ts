import { tableFromIPC, type Table } from "apache-arrow";
import { arrowTableToIPC, isArrowTable } from "./arrow-module.js";
import type { Codec } from "./codec.js";

/**
 * apache-arrow tables, stored as Arrow IPC (stream format). Tables built by the library's CommonJS
 * copy (what `require("apache-arrow")` loads in a notebook cell) are accepted too; decoding gives
 * a table of the ES module copy.
 */
export const arrowCodec: Codec<Table> = {
  id: "arrow",
  canEncode(value: unknown): value is Table {
    return isArrowTable(value);
  },
  typeName(table) {
    return `arrow.Table[${table.numRows}x${table.numCols}]`;
  },
  async encode(table) {
    return { bytes: arrowTableToIPC(table) };
  },
  async decode(encoded) {
    return tableFromIPC(await encoded.bytes());
  },
};
