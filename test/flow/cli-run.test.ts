import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";
import { parseRunArgs } from "../../src/cli/flows/run.js";
import { Datastore } from "../../src/flow/datastore/datastore.js";
import { runCli, writeFlowFile as flowFile } from "../support/cli.js";

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

async function cli(args: string[], cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return runCli(args, {}, { cwd, inheritEnv: true });
}

describe("wbflow run", () => {
  test("runs examples/hello.ts with typed parameters and prints progress", async () => {
    const { dir, file } = flowFile("hello.ts", readFileSync(path.join(repo, "examples/hello.ts"), "utf8"));
    const store = path.join(dir, "store");
    const result = await cli(["run", file, "--greeting", "Hi", "--times", "3", "--tag", "cli", "--datastore", store], dir);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Workflow starting \(run-id \d+\):/);
    expect(result.stdout).toMatch(/\[\d+\/start\/1\] Task is starting\./);
    expect(result.stdout).toMatch(/\[\d+\/end\/3\] Task finished successfully\./);
    expect(result.stdout).toContain("3. Hi from HelloFlow run ");
    expect(result.stdout).toMatch(/Run HelloFlow\/\d+ finished successfully\.\n$/);
    const datastore = new Datastore({ root: store });
    const [run] = await datastore.listRuns("HelloFlow");
    expect(run!.tags).toEqual(["cli"]);
  });

  test("runs examples/branches.ts (split, foreach, joins, switch)", async () => {
    const { dir, file } = flowFile("branches.ts", readFileSync(path.join(repo, "examples/branches.ts"), "utf8"));
    const result = await cli(["run", file, "--folds", "4", "--max-workers", "2", "--datastore", path.join(dir, "s")], dir);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("Foreach yields 4 child steps.");
    expect(result.stdout).toMatch(/shipping the linear model|no model is good enough/);
  });

  test("a failing step exits 1 and says which step failed", async () => {
    const { dir, file } = flowFile(
      "fails.mts",
      `import { FlowSpec, step } from "wbflow";
      export class Broken extends FlowSpec {
        @step start() { this.next(this.explode); }
        @step explode() { throw new Error("kaboom"); this.next(this.end); }
        @step end() {}
      }`,
    );
    const result = await cli(["run", file, "--datastore", path.join(dir, "s")], dir);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("Task failed: kaboom");
    expect(result.stderr).toMatch(/Flow Broken run \d+ failed in step 'explode' \(task Broken\/\d+\/explode\/2\): kaboom/);
  });

  test("usage errors: several flows, unknown flow, bad parameter", async () => {
    const { dir, file } = flowFile(
      "two.ts",
      `import { FlowSpec, step, Parameter } from "wbflow";
      export class A extends FlowSpec { n = Parameter("n", { default: 1 }); @step start() { this.next(this.end); } @step end() {} }
      export class B extends FlowSpec { @step start() { this.next(this.end); } @step end() {} }`,
    );
    const several = await cli(["run", file], dir);
    expect(several.code).toBe(2);
    expect(several.stderr).toContain(`has several flows (A, B). Name the one to run: wbflow run ${file} FlowName`);
    const unknown = await cli(["run", file, "C"], dir);
    expect(unknown.stderr).toContain("has no flow named C. Its flows: A, B.");
    const bad = await cli(["run", file, "A", "--n", "many", "--datastore", path.join(dir, "s")], dir);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("Parameter 'n' of flow A: 'many' is not a number. Pass a number such as 0.5.");
  });

  test("a flow the file defines without exporting it runs too; relative imports keep working", async () => {
    const { dir, file } = flowFile(
      "plain.ts",
      `import { FlowSpec, step } from "wbflow";
      import { greeting } from "./greeting.ts";
      class Unexported extends FlowSpec {
        @step start() { console.log(greeting); this.next(this.end); }
        @step end() {}
      }`,
    );
    writeFileSync(path.join(dir, "greeting.ts"), `export const greeting = "hi from a sibling module";\n`);
    const result = await cli(["run", file, "--datastore", path.join(dir, "s")], dir);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("hi from a sibling module");
    expect(readdirSync(dir).filter((name) => name.startsWith(".wbflow-run-"))).toEqual([]);
  });

  test("run FILE --help lists the flow's parameters (name, type, default, help) and runs nothing", async () => {
    const { dir, file } = flowFile(
      "params.ts",
      `import { FlowSpec, Parameter, step } from "wbflow";
      export class ParamFlow extends FlowSpec {
        alpha = Parameter("alpha", { default: 0.5, help: "learning rate" });
        name = Parameter("name", { type: "string", required: true, help: "who runs it" });
        config = Parameter("config", { type: "json" });
        labels = Parameter("labels", { separator: ",", default: "a,b", help: "comma-separated labels" });
        seed = Parameter("seed", { default: () => 42 });
        verbose = Parameter("verbose", { default: false });
        @step start() { this.next(this.end); }
        @step end() {}
      }
      export class Bare extends FlowSpec { @step start() { this.next(this.end); } @step end() {} }`,
    );
    const store = path.join(dir, "store");
    const result = await cli(["run", file, "ParamFlow", "--help", "--datastore", store], dir);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("Usage: wbflow run FILE [FlowName]");
    const table = result.stdout.slice(result.stdout.indexOf("Parameters of ParamFlow:"));
    expect(table.split("\n").map((line) => line.replace(/ +/g, " ").trim()).filter(Boolean)).toEqual([
      "Parameters of ParamFlow:",
      "--alpha number default 0.5 learning rate",
      "--name string required who runs it",
      "--config json optional",
      '--labels list (split at ",") default "a,b" comma-separated labels',
      "--seed from default computed when the run starts",
      "--verbose boolean default false",
    ]);
    expect(readdirSync(dir)).not.toContain("store"); // nothing ran

    const bare = await cli(["run", file, "Bare", "-h"], dir);
    expect(bare.code).toBe(0);
    expect(bare.stdout).toMatch(/Bare has no parameters\.\n$/);
    // Without a file: the usage alone. Several flows and no name: the usual usage error.
    const plain = await cli(["run", "--help"], dir);
    expect(plain.code).toBe(0);
    expect(plain.stdout).toMatch(/^Usage: wbflow run FILE/);
    expect(plain.stdout).not.toContain("Parameters of");
    const ambiguous = await cli(["run", file, "--help"], dir);
    expect(ambiguous.code).toBe(2);
    expect(ambiguous.stderr).toMatch(/has several flows \(Bare, ParamFlow\)\. Name the one to run/);
    // Other commands still get their --help from the entry point.
    const status = await cli(["status", "--help"], dir);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/^Usage: wbflow status/);
  });

  test("argument parsing", () => {
    expect(parseRunArgs(["f.ts", "Flow", "--alpha=0.1", "--flag", "--tag", "a", "--tag", "b", "--max-workers", "3"])).toEqual({
      file: "f.ts",
      flowName: "Flow",
      params: { alpha: "0.1", flag: true },
      maxWorkers: 3,
      maxNumSplits: undefined,
      tags: ["a", "b"],
      datastore: undefined,
      quiet: false,
    });
    expect(parseRunArgs(["f.ts", "--executor", "bullmq", "--redis=redis://h:1", "--queue", "q"])).toMatchObject({
      executor: "bullmq",
      redis: "redis://h:1",
      queue: "q",
    });
    expect(() => parseRunArgs(["f.ts", "--redis"])).toThrow("--redis needs a value.");
    expect(() => parseRunArgs(["f.ts", "--max-workers", "0"])).toThrow("--max-workers needs a whole number >= 1; got 0.");
    expect(() => parseRunArgs([])).toThrow("Give the file that defines the flow.");
  });

  test("checks the bullmq executor's Redis URL before the run starts, showing it masked", () => {
    expect(() => parseRunArgs(["f.ts", "--executor", "bullmq"], {})).toThrow(
      "--executor bullmq needs the workers' Redis: give --redis URL, or set $WBFLOW_REDIS_URL.",
    );
    expect(() => parseRunArgs(["f.ts", "--executor", "bullmq", "--redis", "http://u:secret@h"], {})).toThrow(
      "http://u:***@h is not a Redis URL",
    );
    expect(parseRunArgs(["f.ts", "--executor", "bullmq"], { WBFLOW_REDIS_URL: "redis://h:1" })).toMatchObject({ executor: "bullmq" });
  });

  test("--package-suffixes takes file endings, for the bullmq executor only", () => {
    const env = { WBFLOW_REDIS_URL: "redis://h:1" };
    expect(parseRunArgs(["f.ts", "--executor", "bullmq", "--package-suffixes", ".json,.csv"], env)).toMatchObject({ packageSuffixes: [".json", ".csv"] });
    expect(() => parseRunArgs(["f.ts", "--package-suffixes", ".json"], env)).toThrow(
      "--package-suffixes is for --executor bullmq (workers elsewhere); other executors read files where they are.",
    );
    expect(() => parseRunArgs(["f.ts", "--executor", "bullmq", "--package-suffixes", "json"], env)).toThrow(
      `Package suffix "json" is not a file name ending: give ones like .json or .csv.`,
    );
    expect(() => parseRunArgs(["f.ts", "--executor", "bullmq", "--package-suffixes", ","], env)).toThrow("--package-suffixes needs file endings, e.g. .json,.csv.");
  });
});
