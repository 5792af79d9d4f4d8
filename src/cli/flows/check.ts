/** `wbflow check FILE [FlowName]`: the check that runs before every run; exit 1 with the fix-it message. */
import { checkPassedText } from "../../commands/show.js";
import type { CliCommand } from "../command.js";
import { EXIT_OK } from "../exit-codes.js";
import { loadFlowClass } from "./flow-file.js";
import { DATASTORE_OPTION, parseOptions } from "../parse-options.js";

const usage = `Usage: wbflow check FILE [FlowName]

Checks the flow's definition and graph (the lint that runs before every run). Prints one line and
exits 0 when it is valid; otherwise prints the problem (which step, and how to fix it) and exits 1.

Options:
  --datastore DIR       accepted like every command's (check reads no runs)`;

async function check(args: string[]): Promise<number> {
  const { positionals } = parseOptions(args, DATASTORE_OPTION, { min: 1, max: 2, what: "the file that defines the flow" });
  const flow = await loadFlowClass(positionals[0]!, positionals[1], "check");
  console.log(checkPassedText(flow.check()));
  return EXIT_OK;
}

/** The `wbflow check` command. */
export const checkCommand: CliCommand = { name: "check", summary: "Check a flow's definition and graph", usage, run: check };
