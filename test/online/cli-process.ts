/** The CLI harness lives in test/support/cli.ts (one for every CLI test); re-exported for the online tests. */
export { runCli, runCliInTerminal, runCliOnTerminal, type CliResult } from "../support/cli.js";
