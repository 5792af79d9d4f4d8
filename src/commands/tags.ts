/** The tag verb (`wbflow tag add|remove|list`): a run's user tags, changed through the client. */
import type { Datastore } from "../flow/datastore/datastore.js";
import type { Run } from "../flow/client/run.js";
import { CommandInputError } from "./errors.js";
import { findPathspec } from "./find-pathspec.js";

/** What `tag` can do. */
export type TagAction = "add" | "remove" | "list";

/** A run's tags after the action. */
export interface RunTags {
  pathspec: string;
  userTags: string[];
  systemTags: string[];
}

async function findRunOf(pathspec: string, datastore: Datastore): Promise<Run> {
  const found = await findPathspec(pathspec, datastore);
  if (found.kind === "flow") {
    throw new CommandInputError(`Tags belong to runs: give Flow/run, e.g. ${found.flow.id}/<run id> (wbflow runs ${found.flow.id} lists them).`);
  }
  // Metaflow tags the run a step or task belongs to.
  return found.run;
}

/** Adds, removes or lists the user tags of the run `pathspec` names (or belongs to). */
export async function changeTags(pathspec: string, datastore: Datastore, action: TagAction, tags: string[]): Promise<RunTags> {
  const run = await findRunOf(pathspec, datastore);
  if (action !== "list" && tags.length === 0) throw new CommandInputError(`tag ${action} needs at least one tag.`);
  if (action === "add") await run.addTags(...tags);
  if (action === "remove") await run.removeTags(...tags);
  return { pathspec: run.pathspec, userTags: await run.userTags(), systemTags: await run.systemTags() };
}
