/**
 * Tables built by the user's own copy of arquero or apache-arrow (another install than wbflow's,
 * as `npm install wbflow arquero@<other version>` gives) are stored, round-trip, and come back as
 * the user's type. The second copies are real: the packages copied into a temp folder's
 * node_modules, imported from there (a distinct module instance with its own classes).
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import * as ourArquero from "arquero";
import * as ourArrow from "apache-arrow";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { codecFor, isExportableTable, tableToParquet } from "../../src/codecs/index.js";
import { userModuleEntry } from "../../src/codecs/tables/user-library-copy.js";
import { roundTrip } from "./codec-helpers.js";

const repoModules = path.resolve("node_modules");
const folder = mkdtempSync(path.join(tmpdir(), "wbflow-user-copies-"));
const userModules = path.join(folder, "node_modules");
const previousCwd = process.cwd();
let userArquero: typeof ourArquero;
let userArrow: typeof ourArrow;

beforeAll(async () => {
  mkdirSync(userModules, { recursive: true });
  for (const name of ["arquero", "apache-arrow"]) cpSync(path.join(repoModules, name), path.join(userModules, name), { recursive: true });
  // Their own dependencies are shared, as npm would hoist them.
  for (const name of ["@uwdata", "acorn", "flatbuffers", "tslib", "json-with-bigint"]) symlinkSync(path.join(repoModules, name), path.join(userModules, name));
  userArquero = (await import(pathToFileURL(path.join(userModules, "arquero/src/index.js")).href)) as typeof ourArquero;
  userArrow = (await import(pathToFileURL(path.join(userModules, "apache-arrow/Arrow.node.mjs")).href)) as typeof ourArrow;
  process.chdir(folder); // the user's project: what its code imports resolves here
});
afterAll(() => {
  process.chdir(previousCwd);
  rmSync(folder, { recursive: true, force: true });
});

describe("tables from the user's own copy of the library", () => {
  it("the copies really are distinct", () => {
    expect(userArquero.ColumnTable).not.toBe(ourArquero.ColumnTable);
    expect(userArquero.table({ x: [1] })).not.toBeInstanceOf(ourArquero.ColumnTable);
    expect(userModuleEntry("arquero")).toBe(path.join(userModules, "arquero/src/index.js"));
    expect(userModuleEntry("apache-arrow")).toBe(path.join(userModules, "apache-arrow/Arrow.node.mjs"));
  });

  it("stores an arquero table of another copy and loads it back as that copy's ColumnTable", async () => {
    const table = userArquero.table({ x: [1, 2, 3], y: ["a", "b", null], big: [1n, 2n ** 62n, 3n] });
    const codec = codecFor(table);
    expect(codec?.id).toBe("arquero");
    expect(codec!.typeName(table)).toBe("ColumnTable[3x3]");
    const back = (await roundTrip(codec!, table)) as ourArquero.ColumnTable;
    expect(back).toBeInstanceOf(userArquero.ColumnTable);
    expect(back.objects()).toEqual(table.objects());
    expect(back.filter((d: { x: number }) => d.x > 1).numRows()).toBe(2); // a working table of the user's copy
  });

  it("stores an Arrow table of another copy and loads it back as that copy's Table", async () => {
    const table = userArrow.tableFromArrays({ id: Int32Array.from([1, 2]), name: ["a", "b"] });
    expect(table).not.toSatisfy((t) => Function.prototype[Symbol.hasInstance].call(ourArrow.Table, t));
    const codec = codecFor(table);
    expect(codec?.id).toBe("arrow");
    const back = (await roundTrip(codec!, table)) as ourArrow.Table;
    expect(Function.prototype[Symbol.hasInstance].call(userArrow.Table, back)).toBe(true);
    expect(back.toArray().map((row) => row.toJSON())).toEqual(table.toArray().map((row) => row.toJSON()));
  });

  it("exports both copies' tables as Parquet (the form @wandb_log logs datasets in)", async () => {
    const arquero = userArquero.table({ x: [1.5, 2.5] });
    const arrow = userArrow.tableFromArrays({ id: Int32Array.from([7]) });
    expect(isExportableTable(arquero) && isExportableTable(arrow)).toBe(true);
    expect(await tableToParquet(arquero)).toMatchObject({ numRows: 2, numCols: 1, schema: [{ name: "x", type: "Float64" }] });
    expect(await tableToParquet(arrow)).toMatchObject({ numRows: 1, numCols: 1, schema: [{ name: "id", type: "Int32" }] });
  });
});
