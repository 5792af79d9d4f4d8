/** `wbflow runs [FLOW] [--tag T] [--limit N] [--json]`: past runs, newest first. */
import { listRuns, runsTable } from "../../commands/runs.js";
import { textTable } from "../../display/html-table.js";
import type { CliCommand } from "../command.js";
import { EXIT_OK } from "../exit-codes.js";
import { DATASTORE_OPTION, openDatastore, parseOptions, positiveInteger } from "../parse-options.js";

const usage = `Usage: wbflow runs [FlowName] [--tag TAG ...] [--limit N] [--json]

Lists past runs, newest first, with their status (successful, failed, running), start, duration and
tags. Without FlowName, the runs of every flow in the datastore.

Options:
  --tag TAG             only runs with this tag (repeatable: runs with all of them)
  --limit N             at most N runs
  --json                the runs as JSON
  --datastore DIR       where runs are stored (default $WBFLOW_DATASTORE or ./.wbflow)`;

async function runs(args: string[]): Promise<number> {
  const { values, positionals } = parseOptions(
    args,
    { ...DATASTORE_OPTION, tag: { type: "string", multiple: true }, limit: { type: "string" }, json: { type: "boolean" } },
    { min: 0, max: 1, what: "a flow name" },
  );
  const limit = positiveInteger("--limit", values.limit);
  const found = await listRuns(openDatastore(values.datastore), {
    ...(positionals[0] === undefined ? {} : { flow: positionals[0] }),
    ...(values.tag ? { tags: values.tag } : {}),
    ...(limit === undefined ? {} : { limit }),
  });
  if (values.json) {
    console.log(JSON.stringify(found, null, 2));
  } else if (found.length === 0) {
    console.log(values.tag ? `No runs with tag ${values.tag.join(" and ")}.` : "No runs yet.");
  } else {
    const { headers, rows } = runsTable(found);
    console.log(textTable(headers, rows));
  }
  return EXIT_OK;
}

/** The `wbflow runs` command. */
export const runsCommand: CliCommand = { name: "runs", summary: "List past runs with status, duration and tags", usage, run: runs };
