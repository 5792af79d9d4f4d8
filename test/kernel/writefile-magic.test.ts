/**
 * `%%writefile` writes a cell's body to a file; `%flow run Name --executor processes` on a flow defined
 * in a cell fails before any task starts, saying how to move it into a module with `%%writefile`.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect, test } from "vitest";
import { flowMagic } from "../../src/kernel/magics/flow-magic.js";
import { parseArguments, tokenizeArguments } from "../../src/kernel/magics/magic-arguments.js";
import type { MagicContext } from "../../src/kernel/magics/magic.js";
import { writefileMagic } from "../../src/kernel/magics/writefile-magic.js";
import { flowModule } from "../flow/helpers.js";

async function writefile(line: string, body: string | undefined): Promise<{ text: string }> {
  const action = writefileMagic().main!;
  const args = parseArguments(tokenizeArguments(line), action.arguments, "%%writefile");
  return (await action.run(args, {} as MagicContext, body)) as { text: string };
}

test("%%writefile writes, overwrites and appends the cell's body", async () => {
  const dir = mkdtempSync(path.join(tmpdir(), "wbflow-writefile-"));
  const file = path.join(dir, "flows", "train.ts");
  expect((await writefile(file, "export const a = 1;")).text).toBe(`Writing ${file}`);
  expect(readFileSync(file, "utf8")).toBe("export const a = 1;\n");
  expect((await writefile(file, "export const b = 2;\n")).text).toBe(`Overwriting ${file}`);
  expect((await writefile(`-a ${file}`, "export const c = 3;")).text).toBe(`Appending to ${file}`);
  expect(readFileSync(file, "utf8")).toBe("export const b = 2;\nexport const c = 3;\n");
  await expect(writefile(file, undefined)).rejects.toThrow("%%writefile is a cell magic");
});

test("%flow run --executor processes on a flow defined in a cell fails before any task, saying how to use %%writefile", async () => {
  const store = mkdtempSync(path.join(tmpdir(), "wbflow-inline-"));
  const previous = process.env.WBFLOW_DATASTORE;
  process.env.WBFLOW_DATASTORE = store;
  try {
    const locals = flowModule(`export class InCell extends FlowSpec { @step start() { this.next(this.end); } @step end() {} }`);
    const action = flowMagic().subcommands!.run!;
    const args = parseArguments(tokenizeArguments("InCell --executor processes --max-workers 2"), action.arguments, "%flow run");
    const error = await action.run(args, { locals, env: process.env } as unknown as MagicContext, undefined).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: "FlowNotInModuleError", userFacing: true });
    expect((error as Error).message).toContain("Flow InCell is not defined in a module file");
    expect((error as Error).message).toContain("`%%writefile incell.ts`");
    expect((error as Error).message).toContain('import { InCell } from "./incell"');
    const [runId] = readdirSync(path.join(store, "InCell")).filter((n) => /^\d+$/.test(n));
    expect(existsSync(path.join(store, "InCell", runId!, "start"))).toBe(false); // no task started
    // %flow resume shares the verb wrapper: the same one-line error.
    const resume = flowMagic().subcommands!.resume!;
    const resumeArgs = parseArguments(tokenizeArguments("InCell --executor processes"), resume.arguments, "%flow resume");
    const resumeError = await resume.run(resumeArgs, { locals, env: process.env } as unknown as MagicContext, undefined).catch((e: unknown) => e);
    expect(resumeError).toMatchObject({ name: "FlowNotInModuleError", userFacing: true });
  } finally {
    if (previous === undefined) delete process.env.WBFLOW_DATASTORE;
    else process.env.WBFLOW_DATASTORE = previous;
  }
});

test("%flow run refuses an unknown executor", async () => {
  const action = flowMagic().subcommands!.run!;
  const args = parseArguments(tokenizeArguments("F --executor threads"), action.arguments, "%flow run");
  const locals = flowModule(`export class F extends FlowSpec { @step start() { this.next(this.end); } @step end() {} }`);
  await expect(action.run(args, { locals, env: process.env } as unknown as MagicContext, undefined)).rejects.toThrow(
    "%flow run --executor is in-process, processes or bullmq; got threads.",
  );
});

test("%%writefile to a folder or under a file says what is in the way, in one line", async () => {
  const dir = mkdtempSync(path.join(tmpdir(), "wbflow-writefile-"));
  writeFileSync(path.join(dir, "notes"), "a file");
  await expect(writefile(dir, "x")).rejects.toMatchObject({
    name: "MagicUsageError",
    message: `%%writefile: cannot write ${dir}: it is a folder. Give a file's path, e.g. ${path.join(dir, "flow.ts")}.`,
  });
  await expect(writefile(path.join(dir, "notes", "flow.ts"), "x")).rejects.toMatchObject({
    name: "MagicUsageError",
    message: `%%writefile: cannot write ${path.join(dir, "notes", "flow.ts")}: a part of its path is a file, not a folder. Choose another folder.`,
  });
  expect(readFileSync(path.join(dir, "notes"), "utf8")).toBe("a file");
});
