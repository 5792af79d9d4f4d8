/**
 * The README's tour is real code: it is cut out of README.md, run in a child process against this
 * repository's source (offline, in a fresh folder) and must print what the tour promises — the
 * flow's result read back through the client, one W&B run per task in the flow run's group, and the
 * dataset artifact loaded back as a table.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { expect, test } from "vitest";
import { runTypeScript } from "./support/cli.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** The first TypeScript block under the README's "## A tour" heading. */
function tourCode(): string {
  const readme = readFileSync(path.join(root, "README.md"), "utf8");
  const match = /^## A tour\n[\s\S]*?^```ts\n([\s\S]*?)^```/m.exec(readme);
  if (!match) throw new Error('README.md has no "## A tour" section with a ```ts block');
  return match[1]!;
}

test("the README's tour runs offline and reads its runs back", async () => {
  // Inside the repository (test-output/ is ignored by git) so "arquero" resolves; "wbflow" and
  // "wbflow/wandb" point at this checkout's source.
  mkdirSync(path.join(root, "test-output"), { recursive: true });
  const dir = mkdtempSync(path.join(root, "test-output", "readme-tour-"));
  const code = tourCode()
    .replaceAll(`from "wbflow/wandb"`, `from ${JSON.stringify(path.join(root, "src/wandb.ts"))}`)
    .replaceAll(`from "wbflow"`, `from ${JSON.stringify(path.join(root, "src/index.ts"))}`);
  const report = `
console.log("TOUR " + JSON.stringify({
  runs: runs.map((r) => ({ name: r.name, jobType: r.jobType, group: r.group })),
  flowRunId: flowRun.runId,
  rows: (table as { numRows(): number }).numRows(),
}));
`;
  const file = path.join(dir, "tour.ts");
  writeFileSync(file, code + report);

  const result = await runTypeScript(file, [], { HOME: dir, NETRC: path.join(dir, "netrc"), WBFLOW_DATASTORE: path.join(dir, ".wbflow") }, { cwd: dir });
  expect(result.stderr + result.stdout).not.toMatch(/Error/);
  expect(result.code).toBe(0);
  expect(result.stdout).toContain("0.9666666666666667"); // accuracy = 1 - 0.1 / 3, read back by the client
  const line = result.stdout.split("\n").find((l) => l.startsWith("TOUR "));
  const facts = JSON.parse(line!.slice("TOUR ".length)) as {
    runs: Array<{ name: string; jobType: string; group: string }>;
    flowRunId: string;
    rows: number;
  };
  const group = `TrainFlow/${facts.flowRunId}`;
  expect(facts.runs.map((r) => r.jobType).sort()).toEqual(["end", "start", "train"]);
  expect(facts.runs.every((r) => r.group === group)).toBe(true);
  expect(facts.rows).toBe(3);
  rmSync(dir, { recursive: true, force: true }); // kept when the test fails, to look at
});
