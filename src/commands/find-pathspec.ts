/**
 * Finding what a pathspec names (`Flow`, `Flow/run`, `Flow/run/step`, `Flow/run/step/task`), level
 * by level, so a mistake is reported at the first part that does not exist, with the nearest names.
 */
import { Flow } from "../flow/client/flow.js";
import type { Run } from "../flow/client/run.js";
import type { Step } from "../flow/client/step.js";
import type { Task } from "../flow/client/task.js";
import { PARAMETERS_STEP } from "../flow/client/graph.js";
import type { Datastore } from "../flow/datastore/datastore.js";
import { nearestHint } from "../core/nearest-names.js";
import { CommandInputError, NotFoundError } from "./errors.js";

/** What a pathspec named, with every level above it. */
export type Found =
  | { kind: "flow"; flow: Flow }
  | { kind: "run"; flow: Flow; run: Run }
  | { kind: "step"; flow: Flow; run: Run; step: Step }
  | { kind: "task"; flow: Flow; run: Run; step: Step; task: Task };

const SHAPE = "Flow[/run[/step[/task]]]";

async function findFlow(name: string, datastore: Datastore): Promise<Flow> {
  const flows = await datastore.listFlows().catch((): string[] => []);
  if (!flows.includes(name)) {
    throw new NotFoundError(`No flow ${name} in ${datastore.root}.${nearestHint(name, flows, "It has no flows yet.")}`);
  }
  return new Flow(name, { datastore });
}

async function findRun(flow: Flow, runId: string): Promise<Run> {
  const ids = (await flow.runs()).map((run) => run.id);
  if (!ids.includes(runId)) {
    throw new NotFoundError(`No run ${flow.id}/${runId} in ${flow.datastore.root}.${nearestHint(runId, ids, "The flow has no runs.")}`);
  }
  return flow.run(runId);
}

async function findStep(run: Run, stepName: string): Promise<Step> {
  const names = (await run.datastore.listSteps(run.flowName, run.id)).filter((name) => name !== PARAMETERS_STEP);
  if (!names.includes(stepName)) {
    throw new NotFoundError(`No step ${run.pathspec}/${stepName}.${nearestHint(stepName, names, "No step of this run has started.")}`);
  }
  return run.step(stepName);
}

async function findTask(step: Step, taskId: string): Promise<Task> {
  const ids = (await step.tasks()).map((task) => task.id).reverse();
  if (!ids.includes(taskId)) {
    throw new NotFoundError(`No task ${step.pathspec}/${taskId}.${nearestHint(taskId, ids, "The step has no tasks.")}`);
  }
  return step.task(taskId);
}

/** Finds what `pathspec` names in `datastore`; throws NotFoundError at the first missing part. */
export async function findPathspec(pathspec: string, datastore: Datastore): Promise<Found> {
  const parts = pathspec.split("/");
  if (parts.length > 4 || parts.some((part) => part.length === 0)) {
    throw new CommandInputError(`'${pathspec}' is not a pathspec: give ${SHAPE}, e.g. HelloFlow/1764301234567890/start/1.`);
  }
  const [flowName, runId, stepName, taskId] = parts as [string, string?, string?, string?];
  const flow = await findFlow(flowName, datastore);
  if (runId === undefined) return { kind: "flow", flow };
  const run = await findRun(flow, runId);
  if (stepName === undefined) return { kind: "run", flow, run };
  const step = await findStep(run, stepName);
  if (taskId === undefined) return { kind: "step", flow, run, step };
  return { kind: "task", flow, run, step, task: await findTask(step, taskId) };
}

/** A run's steps in the order they started (oldest first), without `_parameters`. */
export async function stepsInOrder(run: Run): Promise<Step[]> {
  return (await run.steps()).reverse();
}

/** A step's tasks in launch order (task id ascending, so foreach splits come in index order). */
export async function tasksInOrder(step: Step): Promise<Task[]> {
  return (await step.tasks()).reverse();
}

/** The tasks a pathspec covers, in order: a task; a step's tasks; a run's tasks step by step. */
export async function tasksOf(found: Found): Promise<Task[]> {
  switch (found.kind) {
    case "task":
      return [found.task];
    case "step":
      return tasksInOrder(found.step);
    case "run": {
      const tasks: Task[] = [];
      for (const step of await stepsInOrder(found.run)) tasks.push(...(await tasksInOrder(step)));
      return tasks;
    }
    case "flow":
      throw new CommandInputError(`${found.flow.id} is a flow: give one of its runs, e.g. ${found.flow.id}/<run id> (wbflow runs ${found.flow.id} lists them).`);
  }
}
