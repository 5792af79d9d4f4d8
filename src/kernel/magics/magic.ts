/**
 * What a magic is: a name, where it may be used (line `%name`, cell `%%name`), its subcommands and
 * arguments (from which parsing and `%name?` help are generated), and the code that runs it.
 */
import type { ArgumentSpec, ParsedArguments } from "./magic-arguments.js";
import type { CellOutput } from "../cells/cell-output.js";

/** What a running magic can reach. */
export interface MagicContext {
  /** The cell's outputs (display, streams, stdin prompts). */
  output: CellOutput;
  /** Top-level variables of the notebook (classes and values declared in earlier cells). */
  locals: Record<string, unknown>;
  /** The environment variables magics read settings from. */
  env: NodeJS.ProcessEnv;
  /** Runs TypeScript in the notebook, as a cell would (cell magics run their body with it). */
  runCode(source: string): Promise<void>;
}

/** One action of a magic: `%wandb login …`, or the magic itself when it has no subcommands. */
export interface MagicAction {
  /** One line for help. */
  summary: string;
  arguments: ArgumentSpec;
  /** True when the action takes a cell body (`%%name args` + body); others refuse one. */
  takesCellBody?: boolean;
  /**
   * Runs the action. `body` is the cell body for `%%name` cell magics. A value other than
   * `undefined` becomes the cell's result (`Out[n]`), rendered through the display protocol.
   */
  run(args: ParsedArguments, context: MagicContext, body: string | undefined): Promise<unknown>;
}

/** A magic registered with the kernel. */
export interface Magic {
  name: string;
  /** One line for `%lsmagic` and help. */
  summary: string;
  /** Where the magic may appear. */
  modes: ReadonlyArray<"line" | "cell">;
  /** Subcommands chosen by the first word, e.g. `%wandb login`. */
  subcommands?: Readonly<Record<string, MagicAction>>;
  /** What runs when the first word is no subcommand (or when there are none). */
  main?: MagicAction;
}

/** A magic whose implementation is loaded on first use (keeps the kernel's start small). */
export interface LazyMagic {
  name: string;
  summary: string;
  modes: ReadonlyArray<"line" | "cell">;
  load(): Promise<Magic>;
}

/** What `%lsmagic` needs to know about a magic. */
export type MagicSummary = Pick<Magic, "name" | "summary" | "modes">;
