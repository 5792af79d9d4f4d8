/**
 * Argument specs for magics, in the spirit of IPython's `magic_arguments`: each magic declares its
 * positionals and options once; parsing, errors and `%name?` help are all generated from that spec.
 */

/** A positional argument. */
export interface PositionalSpec {
  name: string;
  help: string;
  /** Optional positionals may be omitted; at most the trailing ones should be optional. */
  optional?: boolean;
  /** Collects all remaining positionals into a list. */
  variadic?: boolean;
}

/** A `--long` (and optional `-s`) option. */
export interface OptionSpec {
  long: string;
  short?: string;
  help: string;
  /** Name shown for the value in help; options without one are flags (boolean). */
  valueName?: string;
}

/** The full argument spec of one magic (or one subcommand of it). */
export interface ArgumentSpec {
  positionals?: PositionalSpec[];
  options?: OptionSpec[];
  /** Accept `--anything value` pairs not declared above (e.g. flow parameters). */
  allowUnknownOptions?: boolean;
}

/** The result of parsing a magic's argument string against its spec. */
export interface ParsedArguments {
  /** Positional values by name (variadic ones joined into `rest`). */
  positionals: Record<string, string | undefined>;
  /** Remaining values of a variadic positional. */
  rest: string[];
  /** Options by long name: a string for value options, `true` for flags. */
  options: Record<string, string | true>;
  /**
   * Undeclared `--name value` pairs when `allowUnknownOptions` is set; a bare `--name` (followed by
   * another option or nothing) is `true`, as `wbflow run` reads a boolean flow parameter.
   */
  extraOptions: Record<string, string | true>;
}

/**
 * Hides anything in `text` that looks like an API key (40+ key characters), so an argument typed in
 * the wrong place never ends up in an error output.
 */
export function redactSecrets(text: string): string {
  return text.replace(/[A-Za-z0-9_.-]{40,}/g, "[hidden: looks like an API key]");
}

/** A magic was given arguments its spec does not accept. */
export class MagicArgumentError extends Error {
  override name = "MagicArgumentError";
}

/**
 * Splits an argument string like a POSIX shell: whitespace separates words, '…' is literal,
 * "…" allows backslash escapes, a backslash outside quotes escapes the next character.
 */
export function tokenizeArguments(text: string): string[] {
  const words: string[] = [];
  let word = "";
  let inWord = false;
  let quote: "'" | '"' | undefined;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quote === "'") {
      if (ch === "'") quote = undefined;
      else word += ch;
      continue;
    }
    if (quote === '"') {
      if (ch === '"') quote = undefined;
      else if (ch === "\\" && i + 1 < text.length && '"\\$`'.includes(text[i + 1]!)) word += text[++i];
      else word += ch;
      continue;
    }
    if (ch === "'" || ch === '"') {
      quote = ch;
      inWord = true;
    } else if (ch === "\\") {
      if (i + 1 < text.length) word += text[++i];
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) words.push(word);
      word = "";
      inWord = false;
    } else {
      word += ch;
      inWord = true;
    }
  }
  if (quote) throw new MagicArgumentError(`unterminated ${quote} quote in: ${text}`);
  if (inWord) words.push(word);
  return words;
}

/** Parses `words` against `spec`; `usage` names the magic in error messages. */
export function parseArguments(words: string[], spec: ArgumentSpec, usage: string): ParsedArguments {
  const options: Record<string, string | true> = {};
  const extraOptions: Record<string, string | true> = {};
  const values: string[] = [];
  const declared = spec.options ?? [];
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    if (word === "--") {
      values.push(...words.slice(i + 1));
      break;
    }
    if (!word.startsWith("-") || word === "-" || /^-\d/.test(word)) {
      values.push(word);
      continue;
    }
    const [flag, inlineValue] = word.includes("=") ? splitOnce(word, "=") : [word, undefined];
    const option = declared.find((o) => `--${o.long}` === flag || (o.short && `-${o.short}` === flag));
    if (!option) {
      if (spec.allowUnknownOptions && flag.startsWith("--") && flag.length > 2) {
        const next = words[i + 1];
        const bare = inlineValue === undefined && (next === undefined || next.startsWith("--"));
        if (!bare && inlineValue === undefined) i++;
        extraOptions[flag.slice(2)] = bare ? true : (inlineValue ?? next!);
        continue;
      }
      throw new MagicArgumentError(`${usage}: unknown option ${redactSecrets(flag)}`);
    }
    if (option.valueName === undefined) {
      if (inlineValue !== undefined) throw new MagicArgumentError(`${usage}: option --${option.long} takes no value`);
      options[option.long] = true;
      continue;
    }
    const value = inlineValue ?? words[++i];
    if (value === undefined) {
      throw new MagicArgumentError(`${usage}: option --${option.long} needs a value (${option.valueName})`);
    }
    options[option.long] = value;
  }
  const positionals: Record<string, string | undefined> = {};
  const rest: string[] = [];
  const specs = spec.positionals ?? [];
  for (const positional of specs) {
    if (positional.variadic) {
      rest.push(...values.splice(0));
      continue;
    }
    const value = values.shift();
    if (value === undefined && !positional.optional) {
      throw new MagicArgumentError(`${usage}: missing argument ${positional.name.toUpperCase()}`);
    }
    positionals[positional.name] = value;
  }
  if (values.length > 0) throw new MagicArgumentError(`${usage}: unexpected argument ${redactSecrets(values[0]!)}`);
  return { positionals, rest, options, extraOptions };
}

function splitOnce(text: string, separator: string): [string, string] {
  const at = text.indexOf(separator);
  return [text.slice(0, at), text.slice(at + 1)];
}

/** One usage line, e.g. `%wandb login [KEY] [--relogin] [--host URL]`. */
export function usageLine(prefix: string, spec: ArgumentSpec): string {
  const parts = [prefix];
  for (const positional of spec.positionals ?? []) {
    const name = positional.name.toUpperCase() + (positional.variadic ? "..." : "");
    parts.push(positional.optional || positional.variadic ? `[${name}]` : name);
  }
  for (const option of spec.options ?? []) {
    const flag = option.short ? `-${option.short}/--${option.long}` : `--${option.long}`;
    parts.push(option.valueName ? `[${flag} ${option.valueName}]` : `[${flag}]`);
  }
  if (spec.allowUnknownOptions) parts.push("[--NAME [VALUE]]...");
  return parts.join(" ");
}

/** The argument section of a help text: one line per positional and option. */
export function argumentHelp(spec: ArgumentSpec): string[] {
  const rows: [string, string][] = [];
  for (const positional of spec.positionals ?? []) rows.push([positional.name.toUpperCase(), positional.help]);
  for (const option of spec.options ?? []) {
    const flag = (option.short ? `-${option.short}, ` : "") + `--${option.long}` + (option.valueName ? ` ${option.valueName}` : "");
    rows.push([flag, option.help]);
  }
  const width = Math.max(0, ...rows.map(([left]) => left.length));
  return rows.map(([left, right]) => `  ${left.padEnd(width)}  ${right}`);
}
