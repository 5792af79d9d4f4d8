import type { Table } from "apache-arrow";
import { arrowTableFromIPC, arrowTableToIPC, isArrowTable } from "./arrow-module.js";
import type { Codec } from "../codec.js";

/**
 * apache-arrow tables, stored as Arrow IPC (stream format). Tables built by any copy are accepted
 * (the CommonJS build a notebook cell's `require` loads, or the user's own version); decoding gives
 * a table of the user's copy (see arrow-module.ts).
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
    return { bytes: await arrowTableToIPC(table) };
  },
  async decode(encoded) {
    return arrowTableFromIPC(await encoded.bytes());
  },
};
