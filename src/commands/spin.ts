/**
 * The spin verb (`wbflow spin`): one step run again with the current code from the stored inputs of
 * a finished task (by default the first task of that step in the flow's latest run that has one),
 * written to a separate spin datastore; the original run is only read.
 */
import type { FlowSpec } from "../flow/define/spec.js";
import { Datastore } from "../flow/datastore/datastore.js";
import { spinStep, type SpinResult } from "../flow/runtime/spin.js";
import type { Task } from "../flow/client/task.js";
import { CommandInputError, NotFoundError } from "./errors.js";
import { findPathspec, tasksInOrder } from "./find-pathspec.js";
import { nearestHint } from "../core/nearest-names.js";
import { dumpArtifacts, formatDump } from "./dump.js";

/** The spin datastore beside a datastore: `<root>-spin`. */
export function spinDatastoreOf(datastore: Datastore): Datastore {
  return new Datastore({ root: `${datastore.root}-spin` });
}

/** The task a spin starts from: `--task`, else the first task of `step` in the newest run that has one. */
async function findInputTask(flow: typeof FlowSpec, step: string, datastore: Datastore, pathspec: string | undefined): Promise<Task> {
  if (pathspec !== undefined) {
    const found = await findPathspec(pathspec, datastore);
    if (found.kind !== "task") throw new CommandInputError(`--task takes a task's pathspec (Flow/run/step/task); got ${pathspec}.`);
    if (found.flow.id !== flow.name || found.step.id !== step) {
      throw new CommandInputError(`--task ${pathspec} is not a task of step ${flow.name}.${step}: give one of that step's tasks.`);
    }
    return found.task;
  }
  const steps = Object.keys(flow.check().steps);
  if (!steps.includes(step)) throw new NotFoundError(`Flow ${flow.name} has no step '${step}'.${nearestHint(step, steps, "")}`);
  const found = await findPathspec(flow.name, datastore);
  if (found.kind !== "flow") throw new Error("unreachable: a flow name names a flow");
  for (const run of await found.flow.runs()) {
    const tasks = await tasksInOrder(run.step(step)).catch((): Task[] => []);
    for (const task of tasks) if (await task.finished()) return task;
  }
  throw new NotFoundError(`No finished task of step ${flow.name}.${step} in ${datastore.root}: run the flow first, or give --task Flow/run/step/task.`);
}

/** What `spin` did: the task it started from and the new task. */
export interface SpinOutcome extends SpinResult {
  from: string;
  spinRoot: string;
}

/** Spins `step` of `flow` from a finished task's inputs (see the module comment). */
export async function spinFlowStep(
  flow: typeof FlowSpec,
  step: string,
  options: { datastore: Datastore; spinDatastore?: Datastore; task?: string },
): Promise<SpinOutcome> {
  const task = await findInputTask(flow, step, options.datastore, options.task);
  const spinDatastore = options.spinDatastore ?? spinDatastoreOf(options.datastore);
  const result = await spinStep(flow, { task: task.key, datastore: options.datastore, spinDatastore });
  return { ...result, from: task.pathspec, spinRoot: spinDatastore.root };
}

/** The message of a spin whose step failed (`wbflow spin` prints it on stderr, `%flow spin` raises it). */
export function spinFailedMessage(outcome: SpinOutcome): string {
  return `Spin of ${outcome.from} failed (${outcome.pathspec} in ${outcome.spinRoot}): ${outcome.error?.message ?? "unknown error"}`;
}

/** What a finished spin reports: where the new task is kept, then its artifacts as `dump` shows them. */
export async function spinReportText(outcome: SpinOutcome): Promise<string> {
  const dump = formatDump(await dumpArtifacts(outcome.pathspec, new Datastore({ root: outcome.spinRoot })));
  return `Spun ${outcome.pathspec} from the inputs of ${outcome.from} (kept in ${outcome.spinRoot}):\n${dump}`;
}
