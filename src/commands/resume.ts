/**
 * The resume verb (`wbflow resume`, `%flow resume`): `FlowClass.resume()` from the terminal or a
 * cell. Parameters cannot change on resume (the origin run's are reused, as in Metaflow), so a
 * parameter given here is refused with a message that says so, instead of being silently ignored.
 */
import type { FlowSpec } from "../flow/define/spec.js";
import type { FlowRun } from "../flow/runtime/run-handle.js";
import type { ResumeOptions } from "../flow/runtime/run-options.js";
import { readFlowDefinition } from "../flow/define/flow-definition.js";
import { Datastore } from "../flow/datastore/datastore.js";
import { CommandInputError } from "./errors.js";
import { findPathspec } from "./find-pathspec.js";

/** Refuses parameter values given to a resume: it names them and says how to change them instead. */
export function refuseParameterChanges(flow: typeof FlowSpec, given: Record<string, unknown>): void {
  const names = Object.keys(given);
  if (names.length === 0) return;
  const parameters = readFlowDefinition(flow).parameters;
  const known = new Set(parameters.flatMap((p) => [p.name, p.attribute]));
  const unknown = names.filter((name) => !known.has(name));
  if (unknown.length > 0) {
    const list = parameters.map((p) => p.name).join(", ");
    throw new CommandInputError(`Flow ${flow.name} has no parameter ${unknown.map((n) => `'${n}'`).join(", ")}. ${list ? `Its parameters: ${list}.` : "It has no parameters."}`);
  }
  throw new CommandInputError(
    `Parameters cannot change on resume (${names.map((n) => `--${n}`).join(", ")}): a resume reuses every parameter of the ` +
      `origin run, since the tasks it clones were computed from them. Start a new run with other values instead.`,
  );
}

/** Resumes a run of `flow` (the latest, or `options.originRunId`), refusing parameter changes. */
export async function resumeFlowRun(flow: typeof FlowSpec, params: Record<string, unknown>, options: ResumeOptions): Promise<FlowRun> {
  refuseParameterChanges(flow, params);
  const datastore = options.datastore ?? new Datastore();
  // A missing origin run is reported with the nearest run ids, like every other command.
  if (options.originRunId !== undefined) await findPathspec(`${flow.name}/${options.originRunId}`, datastore);
  return flow.resume({ ...options, datastore });
}
