import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MagicArgumentError, parseArguments, tokenizeArguments, usageLine, type ArgumentSpec } from "../../src/kernel/magics/magic-arguments.js";
import { MagicRegistry, UnknownMagicError } from "../../src/kernel/magics/magic-registry.js";
import type { MagicContext } from "../../src/kernel/magics/magic.js";

const loginSpec: ArgumentSpec = {
  positionals: [{ name: "key", help: "API key", optional: true }],
  options: [
    { long: "relogin", help: "ask again" },
    { long: "host", valueName: "URL", help: "server" },
    { long: "height", short: "h", valueName: "PX", help: "iframe height" },
  ],
};

describe("tokenizeArguments", () => {
  it("follows shell quoting", () => {
    expect(tokenizeArguments(`run Demo --name "two words" --path 'a b\\c' plain\\ space`)).toEqual([
      "run", "Demo", "--name", "two words", "--path", "a b\\c", "plain space",
    ]);
    expect(tokenizeArguments(`"a \\"quoted\\" word" ''`)).toEqual([`a "quoted" word`, ""]);
  });

  it("round-trips any list of words quoted with single quotes", () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: "grapheme" }), { maxLength: 6 }), (words) => {
        const quoted = words.map((w) => `'${w.replace(/'/g, `'\\''`)}'`).join(" ");
        expect(tokenizeArguments(quoted)).toEqual(words);
      }),
    );
  });

  it("rejects an unterminated quote with a clear error", () => {
    expect(() => tokenizeArguments(`login "abc`)).toThrow(MagicArgumentError);
    expect(() => tokenizeArguments(`login "abc`)).toThrow(/unterminated " quote/);
  });
});

describe("parseArguments", () => {
  it("parses positionals, flags, values, short options and --name=value", () => {
    const parsed = parseArguments(["KEY1", "--relogin", "--host=http://127.0.0.1:1", "-h", "300"], loginSpec, "%wandb login");
    expect(parsed.positionals).toEqual({ key: "KEY1" });
    expect(parsed.options).toEqual({ relogin: true, host: "http://127.0.0.1:1", height: "300" });
  });

  it("names the magic and the problem in errors", () => {
    expect(() => parseArguments(["--nope"], loginSpec, "%wandb login")).toThrow("%wandb login: unknown option --nope");
    expect(() => parseArguments(["--host"], loginSpec, "%wandb login")).toThrow("option --host needs a value (URL)");
    expect(() => parseArguments(["a", "b"], loginSpec, "%wandb login")).toThrow("unexpected argument b");
    expect(() => parseArguments([], { positionals: [{ name: "name", help: "" }] }, "%flow show")).toThrow("missing argument NAME");
  });

  it("collects undeclared --name value pairs when allowed (flow parameters)", () => {
    const parsed = parseArguments(["Demo", "--alpha", "0.1", "--tag=x"], { positionals: [{ name: "flow", help: "" }], allowUnknownOptions: true }, "%flow run");
    expect(parsed.extraOptions).toEqual({ alpha: "0.1", tag: "x" });
  });

  it("renders usage from the spec", () => {
    expect(usageLine("%wandb login", loginSpec)).toBe("%wandb login [KEY] [--relogin] [--host URL] [-h/--height PX]");
  });
});

describe("MagicRegistry", () => {
  const context = {} as MagicContext;
  const registry = new MagicRegistry();
  registry.register({
    name: "demo",
    summary: "A demo magic.",
    modes: ["line"],
    subcommands: {
      echo: { summary: "Echo words.", arguments: { positionals: [{ name: "words", help: "what to echo", variadic: true }] }, run: async (args) => args.rest.join("+") },
    },
  });

  it("dispatches subcommands and returns their value", async () => {
    expect(await registry.run("line", "demo", "echo a 'b c'", context)).toBe("a+b c");
  });

  it("explains unknown magics, subcommands and wrong modes", async () => {
    await expect(registry.run("line", "nope", "", context)).rejects.toThrow(UnknownMagicError);
    await expect(registry.run("line", "nope", "", context)).rejects.toThrow(/Unknown magic %nope\. Known magics: %demo/);
    await expect(registry.run("line", "demo", "shout", context)).rejects.toThrow("%demo: unknown subcommand 'shout'; expected one of: echo");
    await expect(registry.run("cell", "demo", "echo", context, "body")).rejects.toThrow("%%demo cannot be used as a cell magic");
    const withCellMagic = new MagicRegistry();
    withCellMagic.register({ name: "writefile", summary: "", modes: ["cell"], main: { summary: "", arguments: {}, takesCellBody: true, run: async () => 1 } });
    withCellMagic.register({ name: "demo", summary: "", modes: ["line"], main: { summary: "", arguments: {}, run: async () => 1 } });
    await expect(withCellMagic.run("line", "nope", "", context)).rejects.toThrow(/Known magics: (%%writefile, %demo|%demo, %%writefile)\./);
    const both = new MagicRegistry();
    both.register({ name: "both", summary: "", modes: ["line", "cell"], subcommands: { plain: { summary: "", arguments: {}, run: async () => 1 } } });
    await expect(both.run("cell", "both", "plain", context, "body")).rejects.toThrow("%%both plain takes no cell body");
  });

  it("generates help from the argument specs", async () => {
    const help = (await registry.run("line", "demo?", "", context)) as { text: string };
    expect(help.text).toContain("%demo: A demo magic.");
    expect(help.text).toContain("%demo echo [WORDS...]");
    expect(help.text).toContain("WORDS  what to echo");
  });
});
