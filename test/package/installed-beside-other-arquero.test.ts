/**
 * wbflow as a user installs it: `npm pack`, then the tarball installed into a fresh folder beside
 * another arquero patch version than wbflow's own (npm cannot dedupe the two, so the user's tables
 * come from a second copy of arquero). A flow with `@wandb_log({ datasets: true })` stores such a
 * table, reads it in the next step, and both the flow client and W&B's `artifact.load()` give it
 * back as the user's own `ColumnTable`. One pack and one install serve every assertion.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";

const repo = path.resolve(".");
const ourArquero = JSON.parse(readFileSync(path.join(repo, "node_modules/arquero/package.json"), "utf8")) as { version: string };
/** Another patch version of arquero than wbflow's lockfile holds (one below, or one above for x.y.0). */
const otherArquero = (() => {
  const [major, minor, patch] = ourArquero.version.split(".").map(Number) as [number, number, number];
  return `${major}.${minor}.${patch > 0 ? patch - 1 : patch + 1}`;
})();
const overrides = (JSON.parse(readFileSync(path.join(repo, "package.json"), "utf8")) as { overrides?: Record<string, string> }).overrides ?? {};
const folder = mkdtempSync(path.join(tmpdir(), "wbflow-installed-"));

const FLOW = `
import { FlowSpec, step, Flow } from "wbflow";
import { wandb_log, Api } from "wbflow/wandb";
import * as aq from "arquero";

@wandb_log({ datasets: true })
class TableFlow extends FlowSpec {
  declare raw_df: aq.ColumnTable;
  declare seenAsUserTable: boolean;
  @step start() {
    this.raw_df = aq.table({ x: [1, 2, 3], y: ["a", "b", "c"] });
    this.next(this.end);
  }
  @step end() {
    this.seenAsUserTable = this.raw_df instanceof aq.ColumnTable;
  }
}

const run = await TableFlow.run({});
const fromFlow = (await run.data("end")) as { raw_df: aq.ColumnTable; seenAsUserTable: boolean };
const artifact = await new Api({ settings: { project: "TableFlow" } }).artifact("raw_df:latest");
const loaded = (await artifact.load()) as aq.ColumnTable;
console.log(JSON.stringify({
  seenAsUserTable: fromFlow.seenAsUserTable,
  clientIsUserTable: fromFlow.raw_df instanceof aq.ColumnTable,
  clientRows: fromFlow.raw_df.objects(),
  loadedIsUserTable: loaded instanceof aq.ColumnTable,
  loadedRows: loaded.objects(),
  artifactType: artifact.type,
}));
`;

function npm(args: string[], cwd: string): string {
  return execFileSync("npm", [...args, "--no-audit", "--no-fund", "--loglevel=error"], { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

beforeAll(() => {
  // dist/ is built by `npm ci` (and `npm run build`), as for the other tests that use it; rebuilding
  // it here would rewrite files those tests may be reading.
  const tarball = npm(["pack", "--ignore-scripts", "--pack-destination", folder], repo).trim().split("\n").at(-1)!;
  writeFileSync(
    path.join(folder, "package.json"),
    JSON.stringify({ name: "user-project", private: true, type: "module", overrides }, null, 2),
  );
  // Scripts are not needed (no notebook here): skipping them keeps the install quick and offline-friendly.
  npm(["install", "--ignore-scripts", "--prefer-offline", path.join(folder, tarball), `arquero@${otherArquero}`], folder);
  writeFileSync(path.join(folder, "flow.ts"), FLOW);
}, 600_000);
afterAll(() => rmSync(folder, { recursive: true, force: true }));

test("a table from the user's own arquero is stored, logged and loaded back as the user's type", () => {
  const version = (dir: string) => (JSON.parse(readFileSync(path.join(folder, dir, "package.json"), "utf8")) as { version: string }).version;
  expect(version("node_modules/arquero")).toBe(otherArquero);
  expect(version("node_modules/wbflow/node_modules/arquero")).toBe(ourArquero.version); // two copies, as the user gets them

  const env: NodeJS.ProcessEnv = { ...process.env, HOME: folder, WANDB_MODE: "offline", WANDB_DIR: folder, WANDB_API_KEY: "" };
  delete env.NODE_OPTIONS; // vitest's own loader hooks are not the user's
  const output = execFileSync(path.join(folder, "node_modules/.bin/tsx"), ["flow.ts"], { cwd: folder, env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  const result = JSON.parse(output.trim().split("\n").at(-1)!) as Record<string, unknown>;
  const rows = [
    { x: 1, y: "a" },
    { x: 2, y: "b" },
    { x: 3, y: "c" },
  ];
  expect(result).toEqual({
    seenAsUserTable: true,
    clientIsUserTable: true,
    clientRows: rows,
    loadedIsUserTable: true,
    loadedRows: rows,
    artifactType: "dataset",
  });
});
