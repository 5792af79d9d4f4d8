/**
 * `%flow spin NAME STEP [--task PATHSPEC] [--spin-datastore DIR]` runs the implementation of
 * `wbflow spin` (src/commands/spin.ts) on a flow class of the notebook: the same arguments, the same
 * messages, nothing written to the original run.
 */
import { mkdtempSync, readdirSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createMagicRegistry } from "../../src/kernel/magics/builtin-magics.js";
import type { MagicContext } from "../../src/kernel/magics/magic.js";
import { flowModule } from "../flow/helpers.js";

const source = (power: number) => `
  export class Fan extends FlowSpec {
    @step start() { (this as any).xs = [1, 2, 3]; this.next(this.square, { foreach: "xs" }); }
    @step square() {
      (this as any).sq = (this.input as number) ** ${power};
      if ((this as any).sq === 27) throw new Error("27 is too big");
      this.next(this.join);
    }
    @step join(inputs: any) { (this as any).total = inputs.reduce((s: number, i: any) => s + i.sq, 0); this.next(this.end); }
    @step end() {}
  }`;

const previousStore = process.env.WBFLOW_DATASTORE;
let store: string;
let runId: string;
let cubed: Record<string, any>;

/** Runs `%flow <line>` through the kernel's magic registry, with `locals` as the notebook's variables. */
async function flow(line: string, locals: Record<string, unknown> = cubed): Promise<{ text: string } | undefined> {
  const context = { locals, env: process.env } as unknown as MagicContext;
  return (await createMagicRegistry().run("line", "flow", line, context)) as { text: string } | undefined;
}

/** Every file under `dir` with its size and modification time, to show a spin changed nothing there. */
function snapshot(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    const stat = statSync(file);
    files[path.relative(dir, file)] = `${stat.size}:${stat.mtimeMs}`;
  }
  return files;
}

beforeAll(async () => {
  store = mkdtempSync(path.join(tmpdir(), "wbflow-magic-spin-"));
  process.env.WBFLOW_DATASTORE = store;
  runId = (await flowModule(source(2)).Fan.run({})).runId;
  cubed = flowModule(source(3));
});

afterAll(() => {
  if (previousStore === undefined) delete process.env.WBFLOW_DATASTORE;
  else process.env.WBFLOW_DATASTORE = previousStore;
});

describe("%flow spin", () => {
  test("spins a foreach task with the current code from its stored inputs, into DIR-spin", async () => {
    const before = snapshot(path.join(store, "Fan", runId));
    const spun = (await flow(`spin Fan square --task Fan/${runId}/square/3`))!.text;
    const heading = new RegExp(`^Spun (Fan/\\d+/square/\\d+) from the inputs of Fan/${runId}/square/3 \\(kept in ${store}-spin\\):\n`).exec(spun);
    expect(heading).not.toBeNull();
    expect(spun).toMatch(/^ {2}sq +8$/m);
    expect(snapshot(path.join(store, "Fan", runId))).toEqual(before);
    // Without --task: the first finished task of the step in the newest run; --spin-datastore elsewhere.
    const elsewhere = mkdtempSync(path.join(tmpdir(), "wbflow-magic-spin-to-"));
    const first = (await flow(`spin Fan square --spin-datastore ${elsewhere}`))!.text;
    expect(first).toMatch(new RegExp(`^Spun Fan/\\d+/square/\\d+ from the inputs of Fan/${runId}/square/2 \\(kept in ${elsewhere}\\):\n`));
    expect(first).toMatch(/^ {2}sq +1$/m);
  });

  test("a failing step, a task of another step, a missing step: the CLI's messages", async () => {
    await expect(flow(`spin Fan square --task Fan/${runId}/square/4`)).rejects.toThrow(
      new RegExp(`^Spin of Fan/${runId}/square/4 failed \\(Fan/\\d+/square/\\d+ in ${store}-spin\\): 27 is too big$`),
    );
    await expect(flow(`spin Fan square --task Fan/${runId}/start/1`)).rejects.toThrow(
      `%flow spin: --task Fan/${runId}/start/1 is not a task of step Fan.square: give one of that step's tasks.`,
    );
    await expect(flow("spin Fan squares")).rejects.toThrow("%flow spin: Flow Fan has no step 'squares'. Nearest: square, start, join.");
    await expect(flow("spin Fan")).rejects.toThrow("%flow spin: missing argument STEP");
  });

  test("%flow? lists spin with its arguments", async () => {
    const help = (await flow("?"))!.text;
    expect(help).toContain("%flow spin NAME STEP [--task PATHSPEC] [--spin-datastore DIR]");
    expect(help).toContain("Run one step again with the current code from a finished task's stored inputs");
  });
});
