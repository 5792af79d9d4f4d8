/**
 * Starting a run or a resume: read and lint the flow, resolve and store the parameters, create the
 * run, schedule its tasks, and turn the outcome into a {@link FlowRun} (or a FlowRunError).
 */
import { userInfo } from "node:os";
import { Datastore, pathspecOf, type ArtifactRecord, type TaskKey } from "../datastore/datastore.js";
import { FlowRunError, ParameterError, ResumeError } from "../errors.js";
import { emitFlowEvent } from "./events.js";
import { readFlowDefinition, type FlowDefinition } from "../define/flow-definition.js";
import { graphInfoOf, type GraphInfo } from "../graph/graph-info.js";
import { buildGraph, type FlowGraph } from "../graph/graph.js";
import { lintGraph } from "../graph/lint.js";
import { resolveParameterValue } from "../define/parameter.js";
import { buildClonePlan, PARAMETERS_STEP, type ClonePlan } from "./resume-plan.js";
import { FlowRun } from "./run-handle.js";
import type { RunContext } from "./run-context.js";
import { DEFAULT_MAX_NUM_SPLITS, DEFAULT_MAX_WORKERS, type ResumeOptions, type RunOptions } from "./run-options.js";
import { scheduleRun, type ScheduleResult } from "./scheduler.js";
import { trackRun } from "./active-runs.js";
import { defaultMaxWorkers, selectExecutor } from "../executors/select-executor.js";
import type { BullmqExecutorOptions } from "../executors/bullmq/bullmq-executor.js";
import { DecodeCache, loadTask } from "../task/task-load.js";

/** A flow read from its class, its graph (linted) and the graph info. */
export interface CheckedFlow {
  definition: FlowDefinition;
  graph: FlowGraph;
  graphInfo: GraphInfo;
}

/** Reads and lints a flow class; throws FlowDefinitionError or LintError. */
export function checkFlowClass(flowClass: Function): CheckedFlow {
  const definition = readFlowDefinition(flowClass);
  const graph = buildGraph(definition);
  lintGraph(graph);
  return { definition, graph, graphInfo: graphInfoOf(definition, graph) };
}

let lastRunId = 0;

/** Run ids are epoch microseconds, strictly increasing within this process. */
function newRunId(now: () => number): string {
  const id = Math.max(Math.floor(now() * 1000), lastRunId + 1);
  lastRunId = id;
  return String(id);
}

function defaultUserName(): string {
  const fromEnv = process.env.WBFLOW_USER ?? process.env.USER ?? process.env.LOGNAME ?? process.env.USERNAME;
  if (fromEnv) return fromEnv;
  try {
    return userInfo().username;
  } catch {
    return "unknown";
  }
}

function resolveParameters(definition: FlowDefinition, given: Record<string, unknown>, userName: string): Map<string, unknown> {
  const known = new Map(definition.parameters.flatMap((p) => [[p.name, p] as const, [p.attribute, p] as const]));
  for (const key of Object.keys(given)) {
    if (!known.has(key)) {
      const names = definition.parameters.map((p) => p.name);
      throw new ParameterError(
        `Flow ${definition.name} has no parameter '${key}'. ${names.length ? `Its parameters: ${names.join(", ")}.` : "It has no parameters."}`,
      );
    }
  }
  const values = new Map<string, unknown>();
  for (const parameter of definition.parameters) {
    const value = given[parameter.name] !== undefined ? given[parameter.name] : given[parameter.attribute];
    values.set(
      parameter.attribute,
      resolveParameterValue(parameter, value, { flowName: definition.name, userName, parameterName: parameter.name }),
    );
  }
  return values;
}

interface Prepared {
  context: RunContext;
  maxWorkers: number;
  endStep: string;
}

async function createRunContext(
  checked: CheckedFlow,
  options: RunOptions,
  originRunId: string | undefined,
  storeParameters: (key: TaskKey, datastore: Datastore) => Promise<Map<string, ArtifactRecord>>,
): Promise<Prepared> {
  const { definition, graph, graphInfo } = checked;
  const datastore = options.datastore ?? new Datastore();
  const userName = options.userName ?? defaultUserName();
  const runId = newRunId(options.now ?? (() => performance.timeOrigin + performance.now()));
  const flowName = definition.name;
  const tags = [...(options.tags ?? [])];
  await datastore.createRun({
    flowName,
    runId,
    createdAt: Date.now(),
    userName,
    tags,
    systemTags: [`user:${userName}`, "runtime:wbflow"],
    ...(originRunId === undefined ? {} : { originRunId }),
  });
  await datastore.setLatestRun(flowName, runId);
  const parametersTask: TaskKey = { flowName, runId, stepName: PARAMETERS_STEP, taskId: "0" };
  const parametersRecords = await storeParameters(parametersTask, datastore);
  const loaded = await loadTask(datastore, parametersTask, new DecodeCache(datastore, flowName));
  const parameterValues: Record<string, unknown> = {};
  for (const parameter of definition.parameters) parameterValues[parameter.name] = loaded.values.get(parameter.attribute);
  return {
    context: {
      definition,
      graph,
      graphInfo,
      datastore,
      flowName,
      runId,
      originRunId,
      userName,
      tags,
      parametersTask,
      parametersRecords,
      parameterValues,
      readOnly: new Set([...definition.parameters.map((p) => p.attribute), ...definition.constants.keys()]),
      maxNumSplits: options.maxNumSplits ?? DEFAULT_MAX_NUM_SPLITS,
      flowModule: options.flowModule ?? definition.moduleFile,
      onEvent: options.onEvent,
      engineValueCache: new Map(),
      taskMetadataCache: new Map(),
    },
    maxWorkers: Math.max(1, options.maxWorkers ?? defaultMaxWorkers(options.executor, DEFAULT_MAX_WORKERS)),
    endStep: graph.end!,
  };
}

async function storeFreshParameters(
  checked: CheckedFlow,
  values: Map<string, unknown>,
  key: TaskKey,
  datastore: Datastore,
  userName: string,
): Promise<Map<string, ArtifactRecord>> {
  const { definition, graphInfo } = checked;
  await datastore.startAttempt(key, 0);
  const records = new Map<string, ArtifactRecord>();
  const entries: Array<[string, unknown]> = [
    ["name", definition.name],
    ["_graph_info", graphInfo],
    ...values,
    ...definition.constants,
  ];
  for (const [name, value] of entries) {
    try {
      records.set(name, { name, ...(await datastore.putValue(definition.name, value)), producedBy: pathspecOf(key) });
    } catch (error) {
      throw new ParameterError(
        `Flow ${definition.name}: the value of '${name}' cannot be stored (${(error as Error).message}). ` +
          `Parameters and constants must be storable values.`,
        { cause: error },
      );
    }
  }
  await datastore.finishAttempt(key, 0, {
    artifacts: Object.fromEntries(records),
    metadata: { attempt: 0, startStep: graphInfo.startStep, endStep: graphInfo.endStep, userName },
  });
  return records;
}

/** Opens the run's executor, schedules every task on it and closes it, whatever happened. */
async function scheduleOnExecutor(prepared: Prepared, options: RunOptions, clonePlan: ClonePlan | undefined, signal: AbortSignal): Promise<ScheduleResult> {
  const { context, maxWorkers } = prepared;
  const executor = await selectExecutor(options.executor, { maxWorkers, bullmq: bullmqSettings(options) });
  try {
    await executor.open(context);
    return await scheduleRun(context, { maxWorkers, executor }, clonePlan, signal);
  } finally {
    await executor.close();
  }
}

/** The run's error for the task that failed it: which step and task, and that resume continues. */
function failedRunError(context: RunContext, failure: NonNullable<ScheduleResult["failure"]>): FlowRunError {
  const pathspec = `${context.flowName}/${context.runId}/${failure.spec.stepName}/${failure.spec.taskId}`;
  return new FlowRunError(
    `Flow ${context.flowName} run ${context.runId} failed in step '${failure.spec.stepName}' (task ${pathspec}): ` +
      `${failure.error.message}\nTasks that finished before the failure are saved; fix the step and continue with ` +
      `${context.flowName}.resume().`,
    context.flowName,
    context.runId,
    failure.spec.stepName,
    failure.spec.taskId,
    { cause: failure.error },
  );
}

async function execute(prepared: Prepared, options: RunOptions, clonePlan: ClonePlan | undefined): Promise<FlowRun> {
  const { context, endStep } = prepared;
  emitFlowEvent(
    {
      type: "run-started",
      flowName: context.flowName,
      runId: context.runId,
      graph: context.graphInfo,
      parameters: context.parameterValues,
      ...(context.originRunId === undefined ? {} : { originRunId: context.originRunId }),
    },
    context.onEvent,
  );
  // The user's signal, or the host's interrupt (the notebook kernel's), stops the run.
  const tracked = trackRun(options.signal);
  let scheduled: ScheduleResult;
  try {
    scheduled = await scheduleOnExecutor(prepared, options, clonePlan, tracked.signal);
  } catch (error) {
    // The run stopped before its tasks could end it (an executor that cannot start, Redis gone for
    // good): listeners such as the notebook's live view hear that it ended, then the caller gets the error.
    const cause = error instanceof Error ? error : new Error(String(error));
    emitFlowEvent({ type: "run-finished", flowName: context.flowName, runId: context.runId, successful: false, error: cause }, context.onEvent);
    throw error;
  } finally {
    tracked.end();
  }
  const { outcomes, failure, interrupted } = scheduled;
  const end = outcomes.find((o) => o.stepName === endStep);
  const successful = !failure && end !== undefined && end.ok && end.error === undefined;
  const error =
    interrupted && !failure && !successful ? interruptedError(context, scheduled, tracked.signal.reason) : failure && failedRunError(context, failure);
  const run = new FlowRun({
    flowName: context.flowName,
    runId: context.runId,
    successful,
    tasks: outcomes,
    datastore: context.datastore,
    endStep,
    ...(context.originRunId === undefined ? {} : { originRunId: context.originRunId }),
    ...(error ? { error } : {}),
  });
  emitFlowEvent(
    { type: "run-finished", flowName: context.flowName, runId: context.runId, successful, ...(error ? { error } : {}) },
    context.onEvent,
  );
  if (error && options.throwOnFailure !== false) {
    error.run = run;
    throw error;
  }
  return run;
}

/** Runs a flow class with parameter values; see `FlowSpec.run`. */
export async function runFlow(flowClass: Function, params: Record<string, unknown> = {}, options: RunOptions = {}): Promise<FlowRun> {
  const checked = checkFlowClass(flowClass);
  const userName = options.userName ?? defaultUserName();
  const values = resolveParameters(checked.definition, params, userName);
  const prepared = await createRunContext(checked, { ...options, userName }, undefined, (key, datastore) =>
    storeFreshParameters(checked, values, key, datastore, userName),
  );
  return execute(prepared, options, undefined);
}

/** Resumes a flow's earlier run; see `FlowSpec.resume`. */
export async function resumeFlow(flowClass: Function, options: ResumeOptions = {}): Promise<FlowRun> {
  const checked = checkFlowClass(flowClass);
  const flowName = checked.definition.name;
  const datastore = options.datastore ?? new Datastore();
  const originRunId = options.originRunId ?? (await datastore.latestRunId(flowName));
  if (originRunId === undefined) {
    throw new ResumeError(`Flow ${flowName} has no earlier run to resume in ${datastore.root}. Run it first, or pass originRunId.`);
  }
  const originParameters: TaskKey = { flowName, runId: originRunId, stepName: PARAMETERS_STEP, taskId: "0" };
  const origin = await datastore.readTask(originParameters).catch((error: Error) => {
    throw new ResumeError(`Cannot resume flow ${flowName}: run ${originRunId} was not found in ${datastore.root} (${error.message}).`);
  });
  const clonePlan = await buildClonePlan(datastore, checked.graph, originRunId, options.step);
  const userName = options.userName ?? defaultUserName();
  const prepared = await createRunContext(checked, { ...options, datastore, userName }, originRunId, async (key) => {
    // Parameters cannot change on resume: the origin's are reused; the graph is the current code's.
    await datastore.startAttempt(key, 0);
    const graphRecord = { name: "_graph_info", ...(await datastore.putValue(flowName, checked.graphInfo)), producedBy: pathspecOf(key) };
    const artifacts = { ...origin.artifacts, _graph_info: graphRecord };
    await datastore.finishAttempt(key, 0, {
      artifacts,
      metadata: { ...origin.metadata, originRunId, originTaskId: "0", startStep: checked.graphInfo.startStep, endStep: checked.graphInfo.endStep },
    });
    return new Map(Object.entries(artifacts));
  });
  return execute(prepared, options, clonePlan);
}

/** The error of an interrupted run: which run, which tasks were stopped, and how to continue it. */
function interruptedError(context: RunContext, { stopped }: ScheduleResult, reason: unknown): FlowRunError {
  const { flowName, runId } = context;
  const stoppedText = stopped.length === 0 ? "" : ` Stopped while running: ${stopped.map((t) => t.pathspec).join(", ")}.`;
  return new FlowRunError(
    `Flow ${flowName} run ${flowName}/${runId} was interrupted before it finished.${stoppedText} Tasks that finished are saved; ` +
      `continue with ${flowName}.resume() (in a notebook \`%flow resume ${flowName}\`, in a terminal \`wbflow resume FILE ${flowName}\`).`,
    flowName,
    runId,
    undefined,
    undefined,
    { cause: reason, interrupted: true },
  );
}

/** The bullmq executor's settings among the run's options. */
function bullmqSettings({ redis, queue, redisDownLimitMs, packageSuffixes }: RunOptions): BullmqExecutorOptions {
  return {
    ...(packageSuffixes === undefined ? {} : { packageSuffixes }),
    ...(redis === undefined ? {} : { redis }),
    ...(queue === undefined ? {} : { queue }),
    ...(redisDownLimitMs === undefined ? {} : { redisDownLimitMs }),
  };
}
