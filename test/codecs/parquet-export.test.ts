import { mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as aq from "arquero";
import { createRequire } from "node:module";
import { Table, tableFromArrays } from "apache-arrow";
import { parquetMetadata, parquetReadObjects } from "hyparquet";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isExportableTable, tableToParquet, writeParquetFile } from "../../src/codecs/index.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "wbflow-parquet-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function arrayBufferOf(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

describe("Parquet export", () => {
  it("writes {name}.parquet that an independent reader reads back, with schema and shape", async () => {
    const table = aq.table({
      id: Int32Array.from([1, 2, 3]),
      score: [0.5, null, 1.25],
      label: ["cat", "dog", null],
      flag: [true, false, true],
      when: [new Date(0), new Date(1_000), new Date(2_000)],
    });
    const file = await writeParquetFile(table, dir, "raw_df");
    expect(file.fileName).toBe("raw_df.parquet");
    expect(file.path).toBe(join(dir, "raw_df.parquet"));
    expect(file).toMatchObject({ numRows: 3, numCols: 5 });
    expect(file.schema.map((c) => `${c.name}:${c.type}`)).toEqual([
      "id:Int32", "score:Float64", "label:Utf8", "flag:Bool", "when:Timestamp<MILLISECOND>",
    ]);
    const bytes = new Uint8Array(await readFile(file.path));
    expect(file.size).toBe(bytes.byteLength);
    expect(new TextDecoder().decode(bytes.subarray(0, 4))).toBe("PAR1");
    const rows = await parquetReadObjects({ file: arrayBufferOf(bytes) });
    expect(rows.map((r) => ({ ...r, when: new Date(r.when as Date).getTime() }))).toEqual([
      { id: 1, score: 0.5, label: "cat", flag: true, when: 0 },
      { id: 2, score: null, label: "dog", flag: false, when: 1_000 },
      { id: 3, score: 1.25, label: null, flag: true, when: 2_000 },
    ]);
    expect(parquetMetadata(arrayBufferOf(bytes)).created_by).toContain("wbflow");
    expect((await readdir(dir)).filter((n) => n.startsWith(".tmp"))).toEqual([]);
  });

  it("exports Arrow tables too", async () => {
    const table = tableFromArrays({ x: Float64Array.from([1, 2]), y: ["a", "b"] });
    expect(isExportableTable(table)).toBe(true);
    const data = await tableToParquet(table);
    expect(data).toMatchObject({ numRows: 2, numCols: 2 });
    expect(await parquetReadObjects({ file: arrayBufferOf(data.bytes) })).toEqual([{ x: 1, y: "a" }, { x: 2, y: "b" }]);
  });

  it("exports Arrow tables built by apache-arrow's CommonJS copy (require in a notebook cell)", async () => {
    const commonJsArrow = createRequire(import.meta.url)("apache-arrow") as typeof import("apache-arrow");
    const table = commonJsArrow.tableFromArrays({ x: Float64Array.from([1, 2]), y: ["a", "b"] });
    expect(Function.prototype[Symbol.hasInstance].call(Table, table)).toBe(false); // really the other copy
    expect(isExportableTable(table)).toBe(true);
    const file = await writeParquetFile(table, dir, "from_commonjs");
    expect(file).toMatchObject({ numRows: 2, numCols: 2 });
    expect(file.schema.map((c) => `${c.name}:${c.type}`)).toEqual(["x:Float64", "y:Utf8"]);
    const bytes = new Uint8Array(await readFile(file.path));
    expect(await parquetReadObjects({ file: arrayBufferOf(bytes) })).toEqual([{ x: 1, y: "a" }, { x: 2, y: "b" }]);
  });

  it("refuses file names that are not plain names", async () => {
    await expect(writeParquetFile(aq.table({ x: [1] }), dir, "../up")).rejects.toThrow(/Cannot name a Parquet file/);
    expect(isExportableTable({ x: [1] })).toBe(false);
  });
});
