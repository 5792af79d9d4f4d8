import { createRequire } from "node:module";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as aq from "arquero";
import { tableFromArrays, Table } from "apache-arrow";
import { describe, expect, it } from "vitest";
import { codecFor } from "../../src/codecs/index.js";
import { arqueroCodec } from "../../src/codecs/tables/arquero-codec.js";
import { arrowCodec } from "../../src/codecs/tables/arrow-codec.js";
import { Datastore } from "../../src/flow/datastore/datastore.js";
import { roundTrip } from "./codec-helpers.js";

describe("arquero codec", () => {
  it("is chosen for arquero tables and names their shape", () => {
    const table = aq.table({ x: [1, 2, 3], y: ["a", "b", "c"] });
    expect(codecFor(table)?.id).toBe("arquero");
    expect(arqueroCodec.typeName(table)).toBe("ColumnTable[3x2]");
  });

  it("round-trips numbers, strings, booleans, dates, bigints and nulls with their types", async () => {
    const table = aq.table({
      int: Int32Array.from([1, -2, 3]),
      float: [1.5, null, -3.25],
      text: ["a", null, "ü"],
      flag: [true, false, null],
      when: [new Date(0), new Date(86_400_000), null],
      big: [1n, -(2n ** 62n), 3n],
      large: [2 ** 40, 1, 0],
    });
    const back = await roundTrip(arqueroCodec, table);
    expect(back.columnNames()).toEqual(table.columnNames());
    expect(back.objects()).toEqual(table.objects());
    expect(back.get("when", 1)).toBeInstanceOf(Date);
    expect(typeof back.get("big", 1)).toBe("bigint");
    expect(typeof back.get("large", 0)).toBe("number");
    // The result is a working arquero table.
    expect(back.filter((d: { int: number }) => d.int > 0).numRows()).toBe(2);
  });

  it("round-trips an empty table", async () => {
    const back = await roundTrip(arqueroCodec, aq.table({ x: [] as number[] }));
    expect(back.numRows()).toBe(0);
    expect(back.columnNames()).toEqual(["x"]);
  });
});

describe("Arrow codec", () => {
  it("round-trips an apache-arrow table with its schema", async () => {
    const table = tableFromArrays({ id: Int32Array.from([1, 2]), score: Float64Array.from([0.5, 0.25]), name: ["a", "b"] });
    expect(codecFor(table)?.id).toBe("arrow");
    const back = await roundTrip(arrowCodec, table);
    expect(back).toBeInstanceOf(Table);
    expect(back.schema.fields.map((f) => `${f.name}:${f.type}`)).toEqual(table.schema.fields.map((f) => `${f.name}:${f.type}`));
    expect(back.toArray().map((row) => row.toJSON())).toEqual(table.toArray().map((row) => row.toJSON()));
  });

  it("stores tables built by apache-arrow's CommonJS copy (what require loads in a notebook cell)", async () => {
    const commonJsArrow = createRequire(import.meta.url)("apache-arrow") as typeof import("apache-arrow");
    const table = commonJsArrow.tableFromArrays({
      id: Int32Array.from({ length: 500 }, (_, i) => i),
      name: Array.from({ length: 500 }, (_, i) => `row ${i}`),
    });
    expect(Function.prototype[Symbol.hasInstance].call(Table, table)).toBe(false); // really the other copy
    expect(codecFor(table)?.id).toBe("arrow");
    expect(arrowCodec.typeName(table)).toBe("arrow.Table[500x2]");
    const back = await roundTrip(arrowCodec, table);
    expect(back.schema.fields.map((f) => `${f.name}:${f.type}`)).toEqual(table.schema.fields.map((f) => `${f.name}:${f.type}`));
    expect(back.schema.fields[0]!.type.toString()).toBe("Int32");
    expect(back.toArray().map((row) => row.toJSON())).toEqual(table.toArray().map((row) => row.toJSON()));

    // Through the datastore, as a flow step's artifact.
    const root = await mkdtemp(join(tmpdir(), "wbflow-arrow-cjs-"));
    try {
      const store = new Datastore({ root });
      const stored = await store.putValue("ArrowFlow", table);
      expect(stored.codec).toBe("arrow");
      const read = (await store.getValue("ArrowFlow", { name: "t", producedBy: "ArrowFlow/1/start/1", ...stored })) as Table;
      expect(read.numRows).toBe(500);
      expect(read.get(499)?.toJSON()).toEqual({ id: 499, name: "row 499" });
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
