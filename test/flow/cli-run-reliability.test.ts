/**
 * Issue 13 (flow side of items 8 and "smaller"): `wbflow run` says in one line what is wrong with a
 * flow file that does not parse or throws on import, and refuses non-finite numbers.
 */
import { writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { runCli, writeFlowFile } from "../support/cli.js";

async function cli(args: string[], cwd: string) {
  return runCli(args, {}, { cwd, inheritEnv: true });
}

describe("wbflow run on a broken flow file", () => {
  test("a syntax error is one line naming the file, line and column; exit 1", async () => {
    const { dir, file } = writeFlowFile(
      "syntax.ts",
      `import { FlowSpec, step } from "wbflow";\nexport class A extends FlowSpec {\n  @step start() { this.next(this.end) \n  @step end() {}\n}\n`,
    );
    const result = await cli(["run", file, "--datastore", path.join(dir, "s")], dir);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`wbflow run: ${file} has a syntax error at line 4, column 15: Expected ";" but found "{". Fix it and run again.\n`);
  });

  test("a JavaScript syntax error is one line too", async () => {
    const { dir, file } = writeFlowFile("bad.mjs", `export const x = 1;\nlet = = 2;\n`);
    const result = await cli(["run", file], dir);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(new RegExp(`^wbflow run: ${file} has a syntax error: .+\\. Fix it and run again\\.\\n$`));
  });

  test("a file that throws on import is one line naming the file, the line and the error; exit 1", async () => {
    const { dir, file } = writeFlowFile(
      "throws.ts",
      `import { FlowSpec, step } from "wbflow";\nconst config = JSON.parse("{oops");\nexport class A extends FlowSpec {\n  @step start() { this.next(this.end); }\n  @step end() {}\n}\n`,
    );
    const result = await cli(["run", file, "--datastore", path.join(dir, "s")], dir);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      new RegExp(`^wbflow run: ${file} threw while it was being loaded \\(line 2\\): SyntaxError: .*JSON.*\\. Its top-level code runs when wbflow imports it; fix that code and run again\\.\\n$`),
    );
  });
});

test("--n 1e400 is refused as not finite, not run as Infinity", async () => {
  const { dir, file } = writeFlowFile(
    "numbers.ts",
    `import { FlowSpec, step, Parameter } from "wbflow";\nexport class N extends FlowSpec { n = Parameter("n", { default: 1 }); @step start() { this.next(this.end); } @step end() {} }\n`,
  );
  const result = await cli(["run", file, "--n", "1e400", "--datastore", path.join(dir, "s")], dir);
  expect(result.code).not.toBe(0);
  expect(result.stdout).not.toContain("Workflow starting");
  expect(result.stderr).toContain("'1e400' is not a finite number (it would be Infinity)");
});

test("a file with no exports is run without writing a temporary copy beside it (a kill would leave it)", async () => {
  const { dir, file } = writeFlowFile(
    "noexports.ts",
    `import { readdirSync } from "node:fs";
import { FlowSpec, step } from "wbflow";
import { greeting } from "./greeting.ts";
console.log("folder while loading: " + JSON.stringify(readdirSync(import.meta.dirname)));
class NoExports extends FlowSpec {
  @step start() { console.log(greeting); this.next(this.end); }
  @step end() {}
}
`,
  );
  writeFileSync(path.join(dir, "greeting.ts"), `export const greeting = "hi from a sibling module";\n`);
  const result = await cli(["run", file, "--datastore", path.join(dir, "s")], dir);
  expect(result.code).toBe(0);
  expect(result.stdout).toContain("hi from a sibling module");
  const listings = result.stdout.split("\n").filter((line) => line.startsWith("folder while loading: "));
  expect(listings.length).toBeGreaterThan(0);
  for (const listing of listings) expect(listing).not.toContain(".wbflow-run-");
});
