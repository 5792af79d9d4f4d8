import type { ColumnTable } from "arquero";
import { arqueroTableFromIPC, arqueroTableToIPC, isArqueroTable } from "./arquero-module.js";
import type { Codec } from "../codec.js";

/**
 * arquero tables from any copy of arquero, stored as Arrow IPC (stream format) so column types
 * survive the round trip; loaded back as tables of the user's copy (see arquero-module.ts).
 */
export const arqueroCodec: Codec<ColumnTable> = {
  id: "arquero",
  canEncode(value: unknown): value is ColumnTable {
    return isArqueroTable(value);
  },
  typeName(table) {
    return `ColumnTable[${table.numRows()}x${table.numCols()}]`;
  },
  async encode(table) {
    return { bytes: await arqueroTableToIPC(table) };
  },
  async decode(encoded) {
    return arqueroTableFromIPC(await encoded.bytes());
  },
};
