/**
 * The magics a kernel knows: dispatch of `%name args` / `%%name args`, `%name?` help generated from
 * argument specs, and the `%lsmagic` listing.
 */
import { MagicArgumentError, argumentHelp, redactSecrets, parseArguments, tokenizeArguments, usageLine } from "./magic-arguments.js";
import type { LazyMagic, Magic, MagicContext, MagicSummary } from "./magic.js";

/** `%name` names no registered magic. */
export class UnknownMagicError extends Error {
  override name = "UnknownMagicError";
}

/** A registry of magics; the kernel owns one, built-in and wbflow magics register into it. */
export class MagicRegistry {
  private readonly magics = new Map<string, Magic | LazyMagic>();

  /** Adds `magic`; a second magic with the same name is a programming error. */
  register(magic: Magic | LazyMagic): void {
    if (this.magics.has(magic.name)) throw new Error(`magic %${magic.name} is registered twice`);
    this.magics.set(magic.name, magic);
  }

  /** Registered magics, sorted by name. */
  list(): MagicSummary[] {
    return [...this.magics.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  private async load(name: string): Promise<Magic | undefined> {
    const entry = this.magics.get(name);
    if (!entry || !("load" in entry)) return entry;
    const magic = await entry.load();
    this.magics.set(name, magic);
    return magic;
  }

  /**
   * Runs `%name args` (mode "line") or `%%name args` + body (mode "cell"). A name ending in `?`
   * returns the magic's help text instead. Resolves to the value to show as the cell result.
   */
  async run(mode: "line" | "cell", rawName: string, argText: string, context: MagicContext, body?: string): Promise<unknown> {
    const wantsHelp = rawName.endsWith("?") || (mode === "line" && argText.trim() === "?");
    const name = rawName.replace(/\?+$/, "");
    const magic = await this.load(name);
    const prefix = mode === "line" ? "%" : "%%";
    if (!magic) {
      // A cell-only magic is listed as it is typed: %%writefile.
      const known = this.list().map((m) => `${m.modes.includes("line") ? "%" : "%%"}${m.name}`).join(", ");
      throw new UnknownMagicError(
        `Unknown magic ${prefix}${name}. Known magics: ${known}. Run %lsmagic for the list, %NAME? for help on one.`,
      );
    }
    if (wantsHelp) return new HelpText(await this.help(name));
    if (!magic.modes.includes(mode)) {
      const other = mode === "line" ? `%%${name} at the top of a cell` : `%${name} on its own line`;
      throw new MagicArgumentError(`${prefix}${name} cannot be used as a ${mode} magic; use ${other}. See %${name}?`);
    }
    const words = tokenizeArguments(argText);
    const first = words[0];
    const subcommand = first !== undefined ? magic.subcommands?.[first] : undefined;
    const action = subcommand ?? magic.main;
    if (mode === "cell" && action && !action.takesCellBody) {
      throw new MagicArgumentError(`${prefix}${name}${subcommand ? ` ${first}` : ""} takes no cell body; use it as a line magic. See %${name}?`);
    }
    if (subcommand) {
      const parsed = parseArguments(words.slice(1), subcommand.arguments, `${prefix}${name} ${first}`);
      return subcommand.run(parsed, context, body);
    }
    if (!magic.main) {
      const choices = Object.keys(magic.subcommands ?? {}).join(" | ");
      throw new MagicArgumentError(
        first === undefined
          ? `${prefix}${name} needs a subcommand: ${choices}. See %${name}?`
          : `${prefix}${name}: unknown subcommand '${redactSecrets(first)}'; expected one of: ${choices}. See %${name}?`,
      );
    }
    return magic.main.run(parseArguments(words, magic.main.arguments, `${prefix}${name}`), context, body);
  }

  /** The `%name?` help text, generated from the magic's specs. */
  async help(name: string): Promise<string> {
    const magic = await this.load(name);
    if (!magic) throw new UnknownMagicError(`Unknown magic %${name}. Run %lsmagic for the list.`);
    const prefix = magic.modes.includes("line") ? `%${name}` : `%%${name}`;
    const lines = [`${prefix}: ${magic.summary}`, ""];
    const sections: [string, Magic["main"]][] = [
      ...Object.entries(magic.subcommands ?? {}).map(([sub, action]): [string, Magic["main"]] => [`${prefix} ${sub}`, action]),
      ...(magic.main ? [[prefix, magic.main] as [string, Magic["main"]]] : []),
    ];
    for (const [usagePrefix, action] of sections) {
      if (!action) continue;
      lines.push(usageLine(usagePrefix, action.arguments), `    ${action.summary}`, ...argumentHelp(action.arguments).map((l) => `  ${l}`), "");
    }
    if (magic.modes.includes("cell") && magic.modes.includes("line")) {
      lines.push(`%%${name} at the top of a cell: ${magic.main?.takesCellBody ? "the same as the last form, then runs the cell" : "see above"}.`);
    }
    return lines.join("\n").trimEnd();
  }
}

/** Help text shown as plain text (not as a quoted string). */
export class HelpText {
  constructor(readonly text: string) {}
  toMimeBundle(): Record<string, string> {
    return { "text/plain": this.text };
  }
}
