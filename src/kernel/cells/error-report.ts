/**
 * How an exception is shown in a notebook: an `error` output with name, message and traceback.
 * wbflow's own error classes already say what happened and what to do, so they are shown without
 * a stack; unexpected errors keep theirs.
 */

/** The fields of a Jupyter `error` output. */
export interface ErrorReport {
  ename: string;
  evalue: string;
  traceback: string[];
}

/** Error classes whose message is the whole story (usage mistakes, missing input, bad keys). */
const USER_FACING = new Set([
  "MagicArgumentError",
  "UnknownMagicError",
  "StdinUnavailableError",
  "PromptInterruptedError",
]);

/** Turns anything thrown into an error report. */
export function reportError(error: unknown): ErrorReport {
  if (error instanceof Error) {
    const ename = error.name || "Error";
    const stack = typeof error.stack === "string" ? error.stack.split("\n") : [];
    const userFacing = USER_FACING.has(ename) || (error as { userFacing?: boolean }).userFacing === true;
    const traceback = userFacing || stack.length === 0 ? [`${ename}: ${error.message}`] : stack;
    return { ename, evalue: error.message, traceback };
  }
  return { ename: "Error", evalue: String(error), traceback: [`Thrown: ${String(error)}`] };
}
