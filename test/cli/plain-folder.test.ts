/**
 * The built `wbflow` (bin/wbflow.js, as `npx wbflow` runs it) on a flow file in a plain folder: no
 * package.json with `"type": "module"` and no wbflow installed beside it, as a notebook's folder or a
 * fresh project is. Node treats a .ts file there as CommonJS. (The other CLI tests run the source under
 * `node --import tsx`, whose CommonJS hooks hide what the published command does.)
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { runBuiltCli as wbflow } from "../support/cli.js";

/** A fresh folder (with a space in its name) outside any package, holding `files`. */
function plainFolder(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "wbflow plain "));
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

const GREETING = `export const greeting = "hello from a sibling module";\n`;

describe("wbflow on a .ts flow file in a plain folder (CommonJS to Node)", () => {
  test("run, show and check load it; its imports of wbflow and of a sibling file work", async () => {
    const dir = plainFolder({
      "greeting.ts": GREETING,
      "flow.ts": `import { FlowSpec, step, current } from "wbflow";
import { greeting } from "./greeting";
export class PlainFlow extends FlowSpec {
  @step start() { console.log(greeting, "in", current.flowName); this.next(this.end); }
  @step end() {}
}
`,
    });
    const run = await wbflow(["run", "flow.ts", "--datastore", "store"], dir);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("hello from a sibling module in PlainFlow"); // `current` is the engine's own
    expect(run.stdout).toMatch(/Run PlainFlow\/\d+ finished successfully\./);
    const check = await wbflow(["check", "flow.ts"], dir);
    expect(check.stdout).toContain("PlainFlow is valid: 2 steps");
    expect(check.code).toBe(0);
  });

  test("a flow class defined without `export` runs too, as in a folder of ES modules", async () => {
    const dir = plainFolder({
      "greeting.ts": GREETING,
      "flow.ts": `import { FlowSpec, step } from "wbflow";
import { greeting } from "./greeting";
class Helper { static say() { return greeting; } }
class QuietFlow extends FlowSpec {
  @step start() { console.log(Helper.say()); this.next(this.end); }
  @step end() {}
}
`,
    });
    const run = await wbflow(["run", "flow.ts", "--datastore", "store"], dir);
    expect(run.stderr).toBe("");
    expect(run.stdout).toContain("hello from a sibling module");
    expect(run.stdout).toMatch(/Run QuietFlow\/\d+ finished successfully\./);
    expect(run.code).toBe(0);
    // Worker processes take the class from the file's exports: said before any task fails on it.
    const inWorkers = await wbflow(["run", "flow.ts", "--executor", "processes", "--datastore", "store"], dir);
    expect(inWorkers.stderr).toMatch(/^wbflow run: flow\.ts defines QuietFlow without exporting it, and --executor processes runs tasks in worker processes .* Write `export class QuietFlow \.\.\.` and run again/);
    expect(inWorkers.code).toBe(2);
  });

  test("a missing package or local file is named with what to do, not as top-level code to fix", async () => {
    for (const packageJson of [undefined, `{ "type": "module" }`]) {
      const dir = plainFolder({
        ...(packageJson ? { "package.json": packageJson } : {}),
        "flow.ts": `import { FlowSpec, step } from "wbflow";
import { shuffle } from "@acme/tools/random";
export class NeedsFlow extends FlowSpec { @step start() { shuffle(); this.next(this.end); } @step end() {} }
`,
        "local.ts": `import { FlowSpec, step } from "wbflow";
import { helper } from "./helpers/missing";
export class LocalFlow extends FlowSpec { @step start() { helper(); this.next(this.end); } @step end() {} }
`,
      });
      const pkg = await wbflow(["run", "flow.ts"], dir);
      // (Node's ES module loader names the package, its CommonJS loader the whole specifier.)
      expect(pkg.stderr).toMatch(
        /^wbflow run: .*flow\.ts could not be loaded: its import of '@acme\/tools(\/random)?' \(or that of a file it imports\) cannot be found\. Install it in the flow's folder \(npm install @acme\/tools\) or fix the import\.\n$/,
      );
      expect(pkg.code).toBe(1);
      const local = await wbflow(["check", "local.ts"], dir);
      expect(local.stderr).toMatch(/^wbflow check: \S.*local\.ts could not be loaded: its import of '.*helpers\/missing' \(or that of a file it imports\) cannot be found\. No such file: check the import's path/);
      expect(local.code).toBe(1);
    }
  });
});
