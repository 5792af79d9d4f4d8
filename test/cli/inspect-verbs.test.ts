/**
 * The command line a Metaflow user reaches for, driven as a real child process on real runs:
 * resume after a failure, logs and dump of foreach and join tasks, tags, runs, show, check, and the
 * one-line errors (with the nearest names) and exit codes of every command.
 */
import { cpSync, existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { runCli, writeFlowFile } from "../support/cli.js";

const FLOW = `import { FlowSpec, step, Parameter } from "wbflow";
import * as aq from "arquero";
export class FanFlow extends FlowSpec {
  n = Parameter("n", { default: 3 });
  items!: number[];
  sq!: number;
  total!: number;
  table!: aq.ColumnTable;
  @step start() {
    this.items = Array.from({ length: this.n }, (_, i) => i + 1);
    console.log("starting with", this.n);
    this.next(this.square, { foreach: "items" });
  }
  @step square() {
    this.sq = (this.input as number) ** 2;
    console.log("square of", this.input, "is", this.sq);
    if (process.env.FAIL_AT === String(this.input)) throw new Error("boom at " + this.input);
    this.next(this.join);
  }
  @step join(inputs: Array<{ sq: number }>) {
    this.total = [...inputs].reduce((sum, input) => sum + input.sq, 0);
    console.log("total", this.total);
    console.error("a warning from join");
    this.table = aq.table({ x: [1, 2, 3, 4, 5, 6, 7], label: ["a", "b", "c", "d", "e", "f", "g"] });
    this.next(this.end);
  }
  @step end() { console.log("done"); }
}
`;

let dir: string;
let file: string;
let store: string;
let failedRun: string;
let resumedRun: string;

const cli = (args: string[], env: Record<string, string> = {}) => runCli([...args, "--datastore", store], env, { cwd: dir });
const runIdOf = (stdout: string): string => /Workflow starting \(run-id (\d+)\)/.exec(stdout)![1]!;

beforeAll(async () => {
  ({ dir, file } = writeFlowFile("fan.ts", FLOW));
  store = path.join(dir, "store");
  const failed = await cli(["run", file], { FAIL_AT: "2" });
  expect(failed.code).toBe(1);
  failedRun = runIdOf(failed.stdout);
  const resumed = await cli(["resume", file]);
  expect(resumed.stderr).toBe("a warning from join\n");
  expect(resumed.code).toBe(0);
  resumedRun = runIdOf(resumed.stdout);
}, 120_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("wbflow resume", () => {
  test("a failed run resumed from the terminal: finished splits cloned, the failed one and the rest run again", async () => {
    const runs = await cli(["runs", "FanFlow", "--json"]);
    const listed = JSON.parse(runs.stdout) as Array<{ runId: string; status: string; originRunId?: string }>;
    expect(listed.map((r) => [r.runId, r.status, r.originRunId])).toEqual([
      [resumedRun, "successful", failedRun],
      [failedRun, "failed", undefined],
    ]);
    const logs = await cli(["logs", `FanFlow/${resumedRun}/square`]);
    // Splits 1 and 3 were cloned (their output was captured in the origin run); split 2 ran again.
    expect(logs.stdout).toContain("square of 2 is 4");
    const total = await cli(["dump", `FanFlow/${resumedRun}/join`, "--name", "total", "--json"]);
    expect(JSON.parse(total.stdout)[0].artifacts).toEqual({ total: 14 });
  });

  test("parameters cannot change on resume; unknown origin runs and steps are one-line errors", async () => {
    const changed = await cli(["resume", file, "--n", "5"]);
    expect(changed.code).toBe(2);
    expect(changed.stderr).toMatch(/^wbflow resume: Parameters cannot change on resume \(--n\): .*Start a new run/);
    const unknownParameter = await cli(["resume", file, "--m", "5"]);
    expect(unknownParameter.stderr).toBe("wbflow resume: Flow FanFlow has no parameter 'm'. Its parameters: n.\n");
    const noRun = await cli(["resume", file, "--origin-run-id", "42"]);
    expect(noRun.code).toBe(3);
    // Both runs are listed; their order is by edit distance to "42", which depends on the ids' digits.
    const listed = /^wbflow resume: No run FanFlow\/42 in (.+)\. Nearest: (\d+), (\d+)\.\n$/.exec(noRun.stderr);
    expect(listed?.[1]).toBe(store);
    expect(listed?.slice(2).sort()).toEqual([resumedRun, failedRun].sort());
    const noStep = await cli(["resume", file, "sqare", "--origin-run-id", failedRun]);
    expect(noStep.code).toBe(3);
    expect(noStep.stderr).toContain("the flow has no such step. Steps: start, square, join, end.");
  });

  test("resume STEP re-runs that step and everything after it", async () => {
    // On a copy of the store: the other tests see the two runs beforeAll made, whichever order they run in.
    const copy = `${store}-resume-step`;
    cpSync(store, copy, { recursive: true });
    const result = await runCli(["resume", file, "join", "--origin-run-id", resumedRun, "--datastore", copy], {}, { cwd: dir });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/\[\d+\/square\/\d+\] Cloned from the origin run\./);
    expect(result.stdout).toMatch(/\[\d+\/join\/\d+\] Task is starting\./);
  });
});

describe("wbflow logs and dump of foreach and join tasks", () => {
  test("logs of a foreach step print every split in order, each under its pathspec", async () => {
    const result = await cli(["logs", `FanFlow/${failedRun}/square`]);
    expect(result.code).toBe(0);
    const headers = [...result.stdout.matchAll(/^\[(FanFlow\/\d+\/square\/\d+)\]$/gm)].map((m) => m[1]);
    expect(headers).toHaveLength(3);
    expect(result.stdout.replace(/^\[.*\]\n/gm, "")).toBe("square of 1 is 1\nsquare of 2 is 4\nsquare of 3 is 9\n");
  });

  test("logs of one task print its output as it is; --stderr its errors; a run prints every step", async () => {
    const join = `FanFlow/${resumedRun}/join`;
    const task = JSON.parse((await cli(["logs", join, "--json"])).stdout)[0].pathspec as string;
    expect((await cli(["logs", task])).stdout).toBe("total 14\n");
    expect((await cli(["logs", task, "--stderr"])).stdout).toBe("a warning from join\n");
    const run = await cli(["logs", `FanFlow/${resumedRun}`]);
    expect(run.stdout.indexOf("starting with 3")).toBeLessThan(run.stdout.indexOf("total 14"));
    expect(run.stdout.indexOf("total 14")).toBeLessThan(run.stdout.indexOf("done"));
  });

  test("dump of a join task: short values inline, the table as its shape and first rows; --file writes Parquet", async () => {
    const join = `FanFlow/${resumedRun}/join`;
    const result = await cli(["dump", join]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^FanFlow\/\d+\/join\/\d+\n/);
    expect(result.stdout).toContain("  n      3\n");
    expect(result.stdout).toContain("  total  14\n");
    expect(result.stdout).toContain("table  table 7 rows × 2 columns");
    expect(result.stdout).toMatch(/x +label\n +1 +a\n/);
    expect(result.stdout).toContain("… 2 more rows");
    const json = JSON.parse((await cli(["dump", join, "--name", "table", "--json"])).stdout);
    expect(json[0].artifacts.table.table.shape).toEqual([7, 2]);
    const out = path.join(dir, "table.parquet");
    const task = json[0].pathspec as string;
    const written = await cli(["dump", task, "--name", "table", "--file", out]);
    expect(written.stdout).toBe(`Wrote ${task}/table to ${out} (Parquet, 7 rows × 2 columns).\n`);
    expect(readFileSync(out).subarray(0, 4).toString()).toBe("PAR1");
  });

  test("dump of a foreach step prints each split's artifacts", async () => {
    const result = JSON.parse((await cli(["dump", `FanFlow/${failedRun}/square`, "--name", "sq", "--json"])).stdout) as Array<{ artifacts: { sq: number } }>;
    expect(result.map((task) => task.artifacts.sq)).toEqual([1, 4, 9]);
  });
});

describe("wbflow tag and runs", () => {
  test("tags are added, listed, filtered on and removed; system tags stay", async () => {
    const run = `FanFlow/${failedRun}`;
    expect((await cli(["tag", "add", run, "reviewed", "bad-data"])).stdout).toMatch(/^FanFlow\/\d+: reviewed, bad-data {2}\[system: user:.*runtime:wbflow\]\n$/);
    const tagged = JSON.parse((await cli(["runs", "--tag", "reviewed", "--json"])).stdout) as Array<{ runId: string; tags: string[] }>;
    expect(tagged.map((r) => [r.runId, r.tags])).toEqual([[failedRun, ["reviewed", "bad-data"]]]);
    await cli(["tag", "remove", run, "bad-data"]);
    expect(JSON.parse((await cli(["tag", "list", run, "--json"])).stdout).userTags).toEqual(["reviewed"]);
    const system = await cli(["tag", "remove", run, "runtime:wbflow"]);
    expect(system.code).toBe(2);
    expect(system.stderr).toContain("is a system tag; system tags cannot be removed.");
  });

  test("runs lists status, duration and tags as a table; --limit", async () => {
    const result = await cli(["runs", "--limit", "2"]);
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^run +status +created \(UTC\) +duration +tags$/);
    expect(lines).toHaveLength(3);
    expect(lines[1]).toMatch(/^FanFlow\/\d+ +successful +\d{4}-\d\d-\d\d [\d:]{8} +[\d.]+ (ms|s)/);
  });
});

describe("wbflow show and check", () => {
  test("show prints the graph in text and draws it as SVG", async () => {
    const svg = path.join(dir, "graph.svg");
    const result = await cli(["show", file, "--svg", svg]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("Step start (foreach over items)\n    => square");
    expect(result.stdout).toContain("Step join (join)\n    => end");
    expect(readFileSync(svg, "utf8")).toMatch(/^<svg[\s\S]*square[\s\S]*<\/svg>\s*$/);
  });

  test("check passes a valid flow and exits 1 with the fix-it message for a broken one", async () => {
    expect((await cli(["check", file])).stdout).toBe("FanFlow is valid: 4 steps (start, square, join, end), 1 parameter.\n");
    const broken = path.join(dir, "broken.ts");
    writeFileSync(broken, readFileSync(file, "utf8").replace("this.next(this.join);", ""));
    const result = await cli(["check", broken]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^wbflow check: Step 'square' does not end with a this\.next\(\.\.\.\) transition\. Add this\.next/);
  });
});

/** Every file under `root` with its size and modification time: a change anywhere shows. */
function snapshot(root: string): string[] {
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => {
      const file = path.join(entry.parentPath, entry.name);
      const stat = statSync(file);
      return `${path.relative(root, file)} ${stat.size} ${stat.mtimeMs}`;
    })
    .sort();
}

describe("wbflow spin", () => {
  test("spin of a middle step runs the current code from a finished task's inputs and writes nothing to the original run", async () => {
    const changed = path.join(dir, "fan-cubed.ts");
    writeFileSync(changed, readFileSync(file, "utf8").replace("(this.input as number) ** 2", "(this.input as number) ** 3"));
    const tasks = JSON.parse((await cli(["dump", `FanFlow/${resumedRun}/square`, "--name", "sq", "--json"])).stdout) as Array<{ pathspec: string }>;
    const second = tasks[1]!.pathspec;
    const runFolder = path.join(store, "FanFlow", resumedRun);
    const before = snapshot(runFolder);
    const result = await cli(["spin", changed, "square", "--task", second]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("square of 2 is 8\n");
    const spun = new RegExp(`^Spun (FanFlow/\\d+/square/\\d+) from the inputs of ${second} \\(kept in ${store}-spin\\):\n`, "m").exec(result.stdout);
    expect(spun).not.toBeNull();
    expect(result.stdout).toMatch(/ {2}sq {5}8\n/);
    expect(snapshot(runFolder)).toEqual(before);
    expect((await runCli(["logs", spun![1]!, "--datastore", `${store}-spin`])).stdout).toBe("square of 2 is 8\n");
    // Without --task: the first finished task of the step in the newest run that has one.
    const latest = await cli(["spin", changed, "square"]);
    expect(latest.stdout).toContain("square of 1 is 1\n");
  });

  test("spin errors: a task of another step, a step the flow does not have", async () => {
    const other = await cli(["spin", file, "square", "--task", `FanFlow/${resumedRun}/start/1`]);
    expect(other.code).toBe(2);
    expect(other.stderr).toBe(`wbflow spin: --task FanFlow/${resumedRun}/start/1 is not a task of step FanFlow.square: give one of that step's tasks.\n`);
    const missing = await cli(["spin", file, "squares"]);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toBe("wbflow spin: Flow FanFlow has no step 'squares'. Nearest: square, start, join.\n");
  });
});

describe("errors: one line, the nearest names, exit codes a script can use", () => {
  test.each([
    [["logs", "FanFlo"], 3, /^wbflow logs: No flow FanFlo in .*\. Nearest: FanFlow\.\n$/],
    [["logs", "FanFlow/123/start"], 3, /^wbflow logs: No run FanFlow\/123 in .*\. Nearest: \d+, \d+/],
    [["dump", "FanFlow/RUN/sqare"], 3, /^wbflow dump: No step FanFlow\/\d+\/sqare\. Nearest: square, start\.\n$/],
    [["dump", "FanFlow/RUN/square/99"], 3, /^wbflow dump: No task FanFlow\/\d+\/square\/99\. Nearest: /],
    [["dump", "FanFlow/RESUMED/join", "--name", "totl"], 3, /^wbflow dump: Task FanFlow\/\d+\/join\/\d+ has no artifact 'totl'\. Nearest: total, table, n\.\n$/],
    [["dump", "FanFlow/RESUMED/join", "--file", "x.json"], 2, /^wbflow dump: --file writes one artifact: give it with --name ART\.\n$/],
    [["dump", "FanFlow"], 2, /^wbflow dump: FanFlow is a flow: give one of its runs/],
    [["logs", "a/b/c/d/e"], 2, /^wbflow logs: 'a\/b\/c\/d\/e' is not a pathspec/],
    [["logs"], 2, /^wbflow logs: Give the pathspec of a run, step or task/],
    [["runs", "--limit", "0"], 2, /^wbflow runs: --limit needs a whole number >= 1; got 0\./],
    [["tag", "paint", "FanFlow/RUN", "x"], 2, /^wbflow tag: Unknown action 'paint': use add, remove or list\./],
    [["logs", "FanFlow/RUN", "--colour"], 2, /^wbflow logs: Unknown option '--colour'/],
  ])("%j exits %i", async (args, code, message) => {
    const result = await cli(args.map((arg) => arg.replace("RUN", failedRun).replace("RESUMED", resumedRun)));
    expect(result.stderr).toMatch(message);
    expect(result.code).toBe(code);
  });

  test("a missing file and --help", async () => {
    const missing = await cli(["show", path.join(dir, "nope.ts")]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("No such file:");
    for (const command of ["resume", "show", "check", "runs", "logs", "dump", "tag", "spin"]) {
      const help = await runCli([command, "--help"]);
      expect(help.code).toBe(0);
      expect(help.stdout).toMatch(new RegExp(`^Usage: wbflow ${command} `));
    }
    expect(existsSync(path.join(dir, "x.json"))).toBe(false);
  });
});
