/**
 * Spin (Metaflow 2.19's `spin`): runs one step again, with the current code, from the stored inputs
 * of a finished task, for fast iteration on that step. Nothing is written to the original run: the
 * inputs (the `_parameters` task and the task's parents) are copied into a new run in a separate
 * spin datastore, and the step's one task runs there. Decorators wrap the step as in a run, but a
 * failure is not retried.
 */
import { userInfo } from "node:os";
import { pathspecOf, type ArtifactRecord, type Datastore, type TaskKey } from "../datastore/datastore.js";
import { executeAttempt } from "../task/task-execution.js";
import { DecodeCache, loadTask } from "../task/task-load.js";
import type { ForeachFrame } from "../task/foreach.js";
import { FlowDefinitionError } from "../errors.js";
import { PARAMETERS_STEP } from "./resume-plan.js";
import { checkFlowClass } from "./run-flow.js";
import type { RunContext, TaskSpec } from "./run-context.js";

/** Options of {@link spinStep}. */
export interface SpinOptions {
  /** The finished task whose inputs the step starts from (in `datastore`; only read). */
  task: TaskKey;
  /** The datastore holding the original run. */
  datastore: Datastore;
  /** Where the spin run is written. */
  spinDatastore: Datastore;
  /** The user recorded with the spin run; default from the environment. */
  userName?: string;
}

/** What a spin produced. */
export interface SpinResult {
  /** `Flow/run/step/task` of the new task, in the spin datastore. */
  pathspec: string;
  /** Whether the step finished without error. */
  ok: boolean;
  error: Error | undefined;
  artifacts: Record<string, ArtifactRecord>;
}

/** Copies one finished task's index (and the values it names) into the spin run. */
async function copyTask(from: Datastore, to: Datastore, source: TaskKey, target: TaskKey): Promise<Record<string, ArtifactRecord>> {
  const stored = await from.readTask(source);
  const artifacts: Record<string, ArtifactRecord> = {};
  for (const [name, record] of Object.entries(stored.artifacts)) {
    // Through decode and encode, with the public datastore API only: the spin store gets its own blobs.
    const value = record.inline === undefined ? await from.getValue(source.flowName, record) : undefined;
    artifacts[name] = record.inline === undefined ? { ...record, ...(await to.putValue(source.flowName, value)) } : record;
  }
  await to.startAttempt(target, 0);
  await to.finishAttempt(target, 0, { artifacts, metadata: { ...stored.metadata, spunFrom: pathspecOf(source) } });
  return artifacts;
}

function parentKeys(task: TaskKey, metadata: Record<string, unknown>): TaskKey[] {
  const ids = Array.isArray(metadata.parentTaskIds) ? metadata.parentTaskIds.map(String) : [];
  return ids.map((entry) => {
    const [stepName, taskId] = entry.split("/") as [string, string];
    return { flowName: task.flowName, runId: task.runId, stepName, taskId };
  });
}

function defaultUserName(): string {
  try {
    return process.env.WBFLOW_USER ?? process.env.USER ?? userInfo().username;
  } catch {
    return "unknown";
  }
}

/** The task to spin must belong to this flow and its step must still exist. */
function checkSpinTarget(flowName: string, stepNames: string[], task: TaskKey): void {
  if (task.flowName !== flowName) {
    throw new FlowDefinitionError(`Cannot spin ${pathspecOf(task)} with flow ${flowName}: the task belongs to flow ${task.flowName}.`);
  }
  if (!stepNames.includes(task.stepName)) {
    throw new FlowDefinitionError(`Flow ${flowName} has no step '${task.stepName}' any more. Steps: ${stepNames.join(", ")}.`);
  }
}

/** Creates the spin's own run (tagged `spin`, pointing at the task's run) and returns its id. */
async function createSpinRun(spinDatastore: Datastore, task: TaskKey, userName: string): Promise<string> {
  const runId = String(Math.floor((performance.timeOrigin + performance.now()) * 1000));
  await spinDatastore.createRun({
    flowName: task.flowName,
    runId,
    createdAt: Date.now(),
    userName,
    tags: [],
    systemTags: [`user:${userName}`, "runtime:wbflow", "spin"],
    originRunId: task.runId,
  });
  return runId;
}

/** Runs `options.task`'s step again from that task's stored inputs, in a new run of the spin datastore. */
export async function spinStep(flowClass: Function, options: SpinOptions): Promise<SpinResult> {
  const { definition, graph, graphInfo } = checkFlowClass(flowClass);
  const { task, datastore, spinDatastore } = options;
  checkSpinTarget(definition.name, [...graph.nodes.keys()], task);
  const origin = await datastore.readTask(task);
  const engine = async (name: string): Promise<unknown> => {
    const record = origin.artifacts[name];
    return record ? datastore.getValue(task.flowName, record) : undefined;
  };
  const userName = options.userName ?? defaultUserName();
  const runId = await createSpinRun(spinDatastore, task, userName);
  const inSpinRun = (key: TaskKey): TaskKey => ({ ...key, runId });
  const parametersTask: TaskKey = { flowName: task.flowName, runId: task.runId, stepName: PARAMETERS_STEP, taskId: "0" };
  const parametersRecords = new Map(Object.entries(await copyTask(datastore, spinDatastore, parametersTask, inSpinRun(parametersTask))));
  const parents = parentKeys(task, origin.metadata);
  for (const parent of parents) await copyTask(datastore, spinDatastore, parent, inSpinRun(parent));

  const loaded = await loadTask(spinDatastore, inSpinRun(parametersTask), new DecodeCache(spinDatastore, task.flowName));
  const run: RunContext = {
    definition,
    graph,
    graphInfo,
    datastore: spinDatastore,
    flowName: task.flowName,
    runId,
    originRunId: task.runId,
    userName,
    tags: [],
    parametersTask: inSpinRun(parametersTask),
    parametersRecords,
    parameterValues: Object.fromEntries(definition.parameters.map((p) => [p.name, loaded.values.get(p.attribute)])),
    readOnly: new Set([...definition.parameters.map((p) => p.attribute), ...definition.constants.keys()]),
    maxNumSplits: Number.MAX_SAFE_INTEGER,
    flowModule: definition.moduleFile,
    onEvent: undefined,
    engineValueCache: new Map(),
    taskMetadataCache: new Map(),
  };
  const spec: TaskSpec = {
    stepName: task.stepName,
    taskId: task.taskId,
    parents: parents.map(inSpinRun),
    foreachStack: ((await engine("_foreach_stack")) as ForeachFrame[] | null) ?? [],
    branchStack: [],
    iterationStack: ((await engine("_iteration_stack")) as number[] | null) ?? [],
  };
  const result = await executeAttempt(run, spec, 0);
  return { pathspec: pathspecOf(inSpinRun(task)), ok: result.ok, error: result.error, artifacts: result.artifacts };
}
