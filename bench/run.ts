/**
 * `npm run bench [-- substring ...]`: runs every case exported as `cases` by bench/cases/*.bench.ts
 * (or those whose name contains one of the substrings) and prints a ratio table.
 */
import { readdir } from "node:fs/promises";
import { fileURLToPath, pathToFileURL } from "node:url";
import path from "node:path";
import { runCase, type BenchCase, type BenchResult } from "./harness.js";
import { renderTable } from "./table.js";

const casesDir = path.join(path.dirname(fileURLToPath(import.meta.url)), "cases");

async function loadCases(): Promise<BenchCase[]> {
  const files = (await readdir(casesDir)).filter((f) => f.endsWith(".bench.ts")).sort();
  const all: BenchCase[] = [];
  for (const file of files) {
    const mod = (await import(pathToFileURL(path.join(casesDir, file)).href)) as { cases?: BenchCase[] };
    all.push(...(mod.cases ?? []));
  }
  return all;
}

const filters = process.argv.slice(2);
const selected = (await loadCases()).filter(
  (c) => filters.length === 0 || filters.some((f) => c.name.includes(f)),
);
if (selected.length === 0) {
  console.error(`No benchmark case matches ${filters.join(", ")}.`);
  process.exit(1);
}
const results: BenchResult[] = [];
for (const benchCase of selected) {
  process.stderr.write(`running ${benchCase.name} ...\n`);
  results.push(await runCase(benchCase));
}
console.log(renderTable(results));
