/** One `wbflow <name>` subcommand. Each lives in its own file under src/cli/ (flows/, wandb/, or the kernel's install and kernel) and is listed in src/cli.ts. */
export interface CliCommand {
  /** The subcommand word, e.g. "run". */
  name: string;
  /** One line for `wbflow --help`. */
  summary: string;
  /** Full usage text for `wbflow <name> --help`. */
  usage: string;
  /**
   * When true, `--help`/`-h` are passed to `run`, which prints help of its own (e.g. one that depends
   * on its other arguments); otherwise the entry point prints `usage`.
   */
  handlesHelp?: boolean;
  /** Runs the command with the arguments after the subcommand word; resolves to the exit code. */
  run(args: string[]): Promise<number>;
}

/** A usage mistake: printed with the command's usage, exit code 2. */
export class CliUsageError extends Error {
  override name = "CliUsageError";
}
