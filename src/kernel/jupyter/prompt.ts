/**
 * `prompt(question)` for notebook code: asks the person at the notebook for a line of input through
 * Jupyter's stdin channel (`input_request`), hidden with `{ password: true }`.
 */
import { activeOutput } from "../cells/active-output.js";
import { StdinUnavailableError } from "../cells/cell-output.js";

/** Options of {@link prompt}. */
export interface PromptOptions {
  /** Hide the typed text (secrets, API keys). */
  password?: boolean;
}

/**
 * Asks `question` and resolves to the typed answer. Rejects with `StdinUnavailableError` when the
 * notebook client does not accept input (e.g. `jupyter nbconvert --execute`) or outside a kernel.
 */
export async function prompt(question: string, options: PromptOptions = {}): Promise<string> {
  const output = activeOutput();
  if (!output) throw new StdinUnavailableError(`The question "${question.trim()}" (asked outside a wbflow kernel)`);
  return output.prompt({ prompt: question, password: options.password === true });
}
