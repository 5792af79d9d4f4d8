/**
 * Option parsing for the inspection commands (`show`, `check`, `runs`, `logs`, `dump`, `tag`,
 * `spin`): node's `util.parseArgs`, strict, with its errors turned into usage errors.
 */
import { parseArgs, type ParseArgsConfig } from "node:util";
import { Datastore } from "../flow/datastore/datastore.js";
import { CliUsageError } from "./command.js";

type Options = NonNullable<ParseArgsConfig["options"]>;
/** What `parseOptions` returns: the option values (typed from `T`) and the positional arguments. */
type Parsed<T extends Options> = ReturnType<typeof parseArgs<{ args: string[]; options: T; allowPositionals: true; strict: true }>>;

/** `--datastore DIR`, accepted by every command that reads or writes runs. */
export const DATASTORE_OPTION = { datastore: { type: "string" } } as const satisfies Options;

/** Parses `args` against `options`; between `min` and `max` positional arguments are allowed. */
export function parseOptions<T extends Options>(args: string[], options: T, positionals: { min: number; max: number; what: string }): Parsed<T> {
  let parsed: Parsed<T>;
  try {
    parsed = parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new CliUsageError((error as Error).message.replace(/\. To specify a positional argument.*$/s, "."));
  }
  const count = parsed.positionals.length;
  if (count < positionals.min) throw new CliUsageError(`Give ${positionals.what}.`);
  if (count > positionals.max) throw new CliUsageError(`Unexpected argument '${parsed.positionals[positionals.max]}'.`);
  return parsed;
}

/** The datastore `--datastore DIR` names, else `$WBFLOW_DATASTORE`, else `./.wbflow`. */
export function openDatastore(dir: string | undefined): Datastore {
  return new Datastore(dir === undefined ? {} : { root: dir });
}

/** A `--limit`-style whole number >= 1. */
export function positiveInteger(option: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new CliUsageError(`${option} needs a whole number >= 1; got ${text}.`);
  return value;
}
