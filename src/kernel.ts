/**
 * `wbflow/kernel`: what notebook code calls to talk to the wbflow kernel — show rich outputs, replace
 * them in place, ask the user for input. Outside the kernel they degrade gracefully (plain text on
 * stdout; `prompt` throws {@link StdinUnavailableError}).
 * A new name here is a new promise: add it to `test/public-api.test.ts` on purpose.
 */
export { display, liveDisplay, type DisplayHandle, type DisplayCallOptions } from "./kernel/cells/display.js";
export { prompt, type PromptOptions } from "./kernel/jupyter/prompt.js";
export { StdinUnavailableError } from "./kernel/cells/cell-output.js";
export { mimeBundleOf, jupyterDisplaySymbol, type MimeBundle, type MimeRenderable } from "./display/mime-bundle.js";
