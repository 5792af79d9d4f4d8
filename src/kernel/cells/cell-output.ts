/**
 * Where a cell's output goes. The ZeroMQ server implements it over IOPub and stdin; tests and the
 * benchmark can implement it in memory. Magics and `display()` only ever talk to this interface.
 */
import type { MimeBundle } from "../../display/mime-bundle.js";

/** Options of a `display_data` message. */
export interface DisplayOptions {
  /** Lets later `update_display_data` messages replace this output in place. */
  displayId?: string;
  /** Replace the output previously shown with `displayId` instead of adding one. */
  update?: boolean;
}

/** A hidden or visible question to the person at the notebook (`input_request`). */
export interface PromptRequest {
  prompt: string;
  /** Hide what is typed (API keys). */
  password: boolean;
}

/** The output channels of the cell being executed. */
export interface CellOutput {
  /** Text on stdout or stderr. */
  stream(name: "stdout" | "stderr", text: string): void;
  /** A `display_data` (or `update_display_data`) message. */
  display(bundle: MimeBundle, options?: DisplayOptions): void;
  /** The cell's `execute_result` (its value, shown with `Out[n]`). */
  result(bundle: MimeBundle, executionCount: number): void;
  /** An `error` message: exception name, message and traceback lines. */
  error(ename: string, evalue: string, traceback: string[]): void;
  /**
   * Asks the user for a line of input; rejects with `StdinUnavailableError` when the client does not
   * accept input requests (e.g. `jupyter nbconvert --execute`).
   */
  prompt(request: PromptRequest): Promise<string>;
}

/** The notebook client cannot answer input requests (`allow_stdin` is false). */
export class StdinUnavailableError extends Error {
  override name = "StdinUnavailableError";
  constructor(what: string) {
    super(
      `${what} needs an answer typed into the notebook, but this Jupyter client does not accept input ` +
        "(for example `jupyter nbconvert --execute`). Run the cell in an interactive notebook, or provide " +
        "the value another way.",
    );
  }
}

/** The kernel was interrupted while waiting for input. */
export class PromptInterruptedError extends Error {
  override name = "PromptInterruptedError";
  constructor() {
    super("Interrupted while waiting for input.");
  }
}
