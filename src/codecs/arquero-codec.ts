import { ColumnTable, fromArrow, toArrowIPC } from "arquero";
import type { Codec } from "./codec.js";

/** arquero tables, stored as Arrow IPC (stream format) so column types survive the round trip. */
export const arqueroCodec: Codec<ColumnTable> = {
  id: "arquero",
  canEncode(value: unknown): value is ColumnTable {
    return value instanceof ColumnTable;
  },
  typeName(table) {
    return `ColumnTable[${table.numRows()}x${table.numCols()}]`;
  },
  async encode(table) {
    return { bytes: toArrowIPC(table, { format: "stream" }) };
  },
  async decode(encoded) {
    // useBigInt: int64 columns (only made from bigint values) come back as bigint, not lossy numbers.
    return fromArrow(await encoded.bytes(), { useBigInt: true });
  },
};
