/** `wbflow dump PATHSPEC [--name ART] [--json | --file OUT]`: a task's artifacts. */
import path from "node:path";
import { dumpArtifacts, dumpJson, formatDump, singleArtifact, writeArtifactFile } from "../../commands/dump.js";
import { CliUsageError, type CliCommand } from "../command.js";
import { EXIT_OK } from "../exit-codes.js";
import { DATASTORE_OPTION, openDatastore, parseOptions } from "../parse-options.js";

const usage = `Usage: wbflow dump Flow/run/step[/task] [--name ART] [--json | --file OUT]

Prints the artifacts of a task (of every task, for a step or a run): short values inline, long ones
cut, tables as their shape and first rows.

Options:
  --name ART            only this artifact
  --json                the values as JSON (tables as shape, columns and first rows)
  --file OUT            write the one artifact (--name, one task) to OUT: a table as Parquet, bytes
                        and text as they are, a stored file or folder as a copy, others as JSON
  --datastore DIR       where runs are stored (default $WBFLOW_DATASTORE or ./.wbflow)`;

async function dump(args: string[]): Promise<number> {
  const { values, positionals } = parseOptions(
    args,
    { ...DATASTORE_OPTION, name: { type: "string" }, json: { type: "boolean" }, file: { type: "string" } },
    { min: 1, max: 1, what: "the pathspec of a task or step (Flow/run/step/task)" },
  );
  if (values.json && values.file !== undefined) throw new CliUsageError("Give --json or --file, not both.");
  const pathspec = positionals[0]!;
  const tasks = await dumpArtifacts(pathspec, openDatastore(values.datastore), values.name);
  if (values.file !== undefined) {
    const artifact = singleArtifact(tasks, pathspec);
    const written = await writeArtifactFile(artifact.value, values.file);
    console.log(`Wrote ${tasks[0]!.pathspec}/${artifact.name} to ${path.resolve(values.file)} (${written}).`);
  } else if (values.json) {
    console.log(JSON.stringify(dumpJson(tasks), null, 2));
  } else {
    console.log(formatDump(tasks));
  }
  return EXIT_OK;
}

/** The `wbflow dump` command. */
export const dumpCommand: CliCommand = { name: "dump", summary: "Print (or write to a file) the artifacts of a task", usage, run: dump };
