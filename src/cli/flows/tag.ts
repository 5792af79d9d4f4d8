/** `wbflow tag add|remove|list Flow/run TAG...`: a run's user tags. */
import { changeTags, type TagAction } from "../../commands/tags.js";
import { CliUsageError, type CliCommand } from "../command.js";
import { EXIT_OK } from "../exit-codes.js";
import { DATASTORE_OPTION, openDatastore, parseOptions } from "../parse-options.js";

const usage = `Usage: wbflow tag add|remove|list Flow/run [TAG ...] [--json]

Adds or removes user tags of a run (a step's or task's pathspec means its run), or lists them.
System tags (user:..., runtime:...) cannot be removed. Prints the run's tags afterwards.

Options:
  --json                { "pathspec", "userTags", "systemTags" }
  --datastore DIR       where runs are stored (default $WBFLOW_DATASTORE or ./.wbflow)`;

const ACTIONS: readonly string[] = ["add", "remove", "list"];

async function tag(args: string[]): Promise<number> {
  const { values, positionals } = parseOptions(
    args,
    { ...DATASTORE_OPTION, json: { type: "boolean" } },
    { min: 2, max: Infinity, what: "an action (add, remove or list) and a run (Flow/run)" },
  );
  const [action, pathspec, ...tags] = positionals as [string, string, ...string[]];
  if (!ACTIONS.includes(action)) throw new CliUsageError(`Unknown action '${action}': use add, remove or list.`);
  if (action === "list" && tags.length > 0) throw new CliUsageError("tag list takes no tags.");
  const result = await changeTags(pathspec, openDatastore(values.datastore), action as TagAction, tags);
  if (values.json) console.log(JSON.stringify(result, null, 2));
  else console.log(`${result.pathspec}: ${result.userTags.join(", ") || "(no user tags)"}  [system: ${result.systemTags.join(", ")}]`);
  return EXIT_OK;
}

/** The `wbflow tag` command. */
export const tagCommand: CliCommand = { name: "tag", summary: "Add, remove or list the tags of a run", usage, run: tag };
