/**
 * `%flow resume|logs|dump|runs` run the same implementation as `wbflow resume|logs|dump|runs`
 * (src/commands/), on real runs of the engine in this process.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { flowMagic } from "../../src/kernel/magics/flow-magic.js";
import { parseArguments, tokenizeArguments } from "../../src/kernel/magics/magic-arguments.js";
import type { MagicContext } from "../../src/kernel/magics/magic.js";
import { Flow } from "../../src/flow/client/flow.js";
import { flowModule } from "../flow/helpers.js";

const source = (failing: string) => `
  export class Fan extends FlowSpec {
    @step start() { (this as any).xs = [1, 2, 3]; this.next(this.body, { foreach: "xs" }); }
    @step body() {
      console.log("split", this.index);
      if (${failing}) throw new Error("split " + this.index + " broke");
      (this as any).y = (this.input as number) * 10;
      this.next(this.join);
    }
    @step join(inputs: any) { (this as any).ys = inputs.map((i: any) => i.y); this.next(this.end); }
    @step end() {}
  }`;

const previousStore = process.env.WBFLOW_DATASTORE;
let runId: string;
let fixed: Record<string, any>;

/** Runs `%flow <line>` as the kernel would, with the flow classes as notebook locals. */
async function flow(line: string): Promise<{ text: string } | undefined> {
  const [name, ...words] = tokenizeArguments(line);
  const action = flowMagic().subcommands![name!]!;
  const args = parseArguments(words, action.arguments, `%flow ${name}`);
  const context = { locals: fixed, env: process.env } as unknown as MagicContext;
  return (await action.run(args, context, undefined)) as { text: string } | undefined;
}

beforeAll(async () => {
  process.env.WBFLOW_DATASTORE = mkdtempSync(path.join(tmpdir(), "wbflow-magic-"));
  const broken = flowModule(source("this.index === 1"));
  const failed = await broken.Fan.run({}, { throwOnFailure: false });
  runId = failed.runId;
  fixed = flowModule(source("false"));
});

afterAll(() => {
  if (previousStore === undefined) delete process.env.WBFLOW_DATASTORE;
  else process.env.WBFLOW_DATASTORE = previousStore;
});

test("%flow resume continues the failed run; %flow runs lists both", async () => {
  await expect(flow("resume Fan --alpha 2")).rejects.toThrow("%flow resume: Flow Fan has no parameter 'alpha'. It has no parameters.");
  await expect(flow("resume Fan --origin-run-id 12")).rejects.toThrow(/^%flow resume: No run Fan\/12 in .*\. Nearest: \d+\.$/);
  expect(await flow(`resume Fan --origin-run-id ${runId}`)).toBeUndefined();
  const runs = (await flow("runs Fan"))!.text.split("\n");
  expect(runs).toHaveLength(3);
  expect(runs[1]).toMatch(/^Fan\/\d+ +successful /);
  expect(runs[2]).toMatch(new RegExp(`^Fan/${runId} +failed `));
});

test("%flow logs of a foreach step and %flow dump of a split, with the CLI's errors", async () => {
  expect((await flow(`logs Fan/${runId}/body`))!.text.replace(/^\[.*\]\n/gm, "")).toBe("split 0\nsplit 1\nsplit 2\n");
  const dump = (await flow(`dump Fan/${runId}/body --name xs`))!.text;
  expect(dump.match(/xs {2}\[1,2,3\]/g)).toHaveLength(3);
  await expect(flow(`dump Fan/${runId}/bdy`)).rejects.toThrow(`%flow dump: No step Fan/${runId}/bdy. Nearest: body, start.`);
});

test("%flow run takes a boolean parameter as a bare --flag, before other parameters or last, as wbflow run does", async () => {
  const { Switches } = flowModule(`
    export class Switches extends FlowSpec {
      debug = Parameter("debug", { default: false });
      alpha = Parameter("alpha", { default: 0.5 });
      @step start() { (this as any).seen = [this.debug, this.alpha]; this.next(this.end); }
      @step end() {}
    }`);
  const context = { locals: { Switches }, env: process.env } as unknown as MagicContext;
  const runWith = async (line: string) => {
    const action = flowMagic().subcommands!.run!;
    await action.run(parseArguments(tokenizeArguments(line), action.arguments, "%flow run"), context, undefined);
    const latest = await new Flow("Switches").latestRun();
    return ((await latest!.data()) as { seen: unknown }).seen;
  };
  expect(await runWith("Switches --debug --alpha 0.1")).toEqual([true, 0.1]);
  expect(await runWith("Switches --alpha=0.2 --debug")).toEqual([true, 0.2]);
  expect(await runWith("Switches --debug false")).toEqual([false, 0.5]);
});

test("%flow run: a bad parameter is a one-line usage error; --max-num-splits as in wbflow run; %flow runs before the first run", async () => {
  const { Wide } = flowModule(`
    export class Wide extends FlowSpec {
      n = Parameter("n", { default: 150 });
      @step start() { (this as any).xs = Array.from({ length: this.n }, (_, i) => i); this.next(this.body, { foreach: "xs" }); }
      @step body() { this.next(this.join); }
      @step join(inputs: unknown[]) { (this as any).count = inputs.length; this.next(this.end); }
      @step end() {}
    }`);
  const context = { locals: { Wide }, env: process.env } as unknown as MagicContext;
  const magic = (verbName: string, line: string) => {
    const action = flowMagic().subcommands![verbName]!;
    return action.run(parseArguments(tokenizeArguments(line), action.arguments, `%flow ${verbName}`), context, undefined);
  };
  expect(((await magic("runs", "Wide")) as { text: string }).text).toBe("Wide has no runs yet. Run it with %flow run Wide.");
  const bad = await magic("run", "Wide --n many").catch((e: unknown) => e as Error);
  expect(bad).toMatchObject({ name: "MagicUsageError", message: "%flow run: Parameter 'n' of flow Wide: 'many' is not a number. Pass a number such as 0.5." });
  const typo = await magic("run", "Wide --nn 3").catch((e: unknown) => e as Error);
  expect(typo).toMatchObject({ name: "MagicUsageError", message: "%flow run: Flow Wide has no parameter 'nn'. Its parameters: n." });
  // The limit's message points at --max-num-splits, which %flow run must then accept.
  await expect(magic("run", "Wide")).rejects.toThrow("Raise it with the maxNumSplits run option (--max-num-splits)");
  expect(await magic("run", "Wide --max-num-splits 200")).toBeUndefined();
  const latest = await new Flow("Wide").latestRun();
  expect(((await latest!.data()) as { count: number }).count).toBe(150);
  await expect(magic("run", "Wide --max-num-splits 0")).rejects.toThrow("%flow run --max-num-splits needs a whole number >= 1; got 0.");
});
