/** `wbflow logs PATHSPEC [--stderr]`: a task's captured output, or every task's of a step or run. */
import { formatLogs, readLogs } from "../../commands/logs.js";
import type { CliCommand } from "../command.js";
import { EXIT_OK } from "../exit-codes.js";
import { DATASTORE_OPTION, openDatastore, parseOptions } from "../parse-options.js";

const usage = `Usage: wbflow logs Flow/run[/step[/task]] [--stderr] [--json]

Prints the output a task captured (its latest attempt). For a step, every task of the step in order
(foreach splits in index order), each under its pathspec; for a run, every step's tasks in the order
the steps started.

Options:
  --stderr              the standard error instead of the standard output
  --json                [{ "pathspec", "text" }] for each task
  --datastore DIR       where runs are stored (default $WBFLOW_DATASTORE or ./.wbflow)`;

async function logs(args: string[]): Promise<number> {
  const { values, positionals } = parseOptions(
    args,
    { ...DATASTORE_OPTION, stderr: { type: "boolean" }, json: { type: "boolean" } },
    { min: 1, max: 1, what: "the pathspec of a run, step or task (Flow/run/step/task)" },
  );
  const found = await readLogs(positionals[0]!, openDatastore(values.datastore), values.stderr ? "stderr" : "stdout");
  process.stdout.write(values.json ? `${JSON.stringify(found, null, 2)}\n` : formatLogs(found));
  return EXIT_OK;
}

/** The `wbflow logs` command. */
export const logsCommand: CliCommand = { name: "logs", summary: "Print the captured output of a task, step or run", usage, run: logs };
