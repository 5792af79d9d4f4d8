import { Table, tableFromIPC, tableToIPC } from "apache-arrow";
import type { Codec } from "./codec.js";

/** apache-arrow tables, stored as Arrow IPC (stream format). */
export const arrowCodec: Codec<Table> = {
  id: "arrow",
  canEncode(value: unknown): value is Table {
    return value instanceof Table;
  },
  typeName(table) {
    return `arrow.Table[${table.numRows}x${table.numCols}]`;
  },
  async encode(table) {
    return { bytes: tableToIPC(table, "stream") };
  },
  async decode(encoded) {
    return tableFromIPC(await encoded.bytes());
  },
};
