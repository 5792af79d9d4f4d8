/**
 * The worker's side of the executor seam: inside a process that can import the flow's module, run one
 * attempt described by a {@link TaskRequest} against the shared datastore, exactly as the in-process
 * executor does, and return a plain {@link TaskResult}. The flow's module is imported once per process
 * and the run's facts (parameters, graph) are read once per run.
 */
import { pathToFileURL } from "node:url";
import { Datastore } from "../datastore/datastore.js";
import { checkFlowClass } from "../runtime/run-flow.js";
import { PARAMETERS_STEP } from "../runtime/resume-plan.js";
import type { RunContext, TaskSpec } from "../runtime/run-context.js";
import { isFlowClass } from "../define/spec.js";
import { FlowModuleImportError } from "../errors.js";
import { DecodeCache, loadTask } from "../task/task-load.js";
import { executeAttempt } from "../task/task-execution.js";
import { applyRequestEnv } from "./request-env.js";
import { TASK_REQUEST_VERSION, taskResultOf, type AttemptEvent, type TaskRequest, type TaskResult } from "./task-request.js";

/** How the worker's side loads flows and reports progress. */
export interface TaskRunnerHooks {
  /** Loads the flow class; default: imports `flow.module` (TypeScript through tsx) and takes its export named `flow.className`. */
  loadFlowClass?(flow: TaskRequest["flow"]): Promise<Function>;
  /** Receives the attempt's events (its output) as they happen. */
  onEvent?(event: AttemptEvent): void;
  /**
   * This process's own settings, which the request's `env` overrides (see request-env.ts); default: the
   * WANDB_* and WBFLOW_* settings it had when it first ran a request.
   */
  ownEnv?: Record<string, string>;
}

const modules = new Map<string, Promise<Record<string, unknown>>>();
let tsxRegistered = false;

/**
 * Imports a module; TypeScript through tsx's loaders registered once for the whole process (not a
 * namespaced `tsImport`), so the module's `import "wbflow"` is this very copy of the engine. Both
 * loaders: a .ts file outside a `"type": "module"` package is CommonJS to Node.
 */
async function importModule(file: string): Promise<Record<string, unknown>> {
  if (/\.(c|m)?tsx?$/.test(file) && !tsxRegistered) {
    (await import("tsx/esm/api")).register();
    (await import("tsx/cjs/api")).register();
    tsxRegistered = true;
  }
  return (await import(pathToFileURL(file).href)) as Record<string, unknown>;
}

/**
 * Imports the flow's module (once per process: the pool ends a worker whose loaded files changed, and a
 * fresh worker imports the edited code) and finds the class among its exports.
 */
export async function importFlowClass(flow: TaskRequest["flow"]): Promise<Function> {
  let loading = modules.get(flow.module);
  if (!loading) {
    loading = importModule(flow.module).catch((error: unknown) => {
      throw moduleImportFailed(flow.module, error);
    });
    modules.set(flow.module, loading);
  }
  const exports = await loading;
  const candidates = [...Object.values(exports), ...Object.values((exports.default ?? {}) as Record<string, unknown>)];
  const found = candidates.find((v) => isFlowClass(v) && v.name === flow.className);
  if (!found) {
    throw new Error(`${flow.module} does not export a flow class named ${flow.className}. Export it (export class ${flow.className} ...).`);
  }
  return found as Function;
}

/**
 * Why the flow's module failed in this process, which imports it afresh from disk: the process that
 * started the run may hold an older version, or state (notebook cells) the module relies on.
 */
function moduleImportFailed(module: string, error: unknown): FlowModuleImportError {
  const cause = error instanceof Error ? error : new Error(String(error));
  const said = cause.message.trim();
  const failure = new FlowModuleImportError(
    `Worker process ${process.pid} could not import the flow module ${module}: ${cause.name}: ${said}${/[.!?]$/.test(said) ? "" : "."} ` +
      `Workers import the module and the files it imports afresh from disk, without the state of the process that ` +
      `started the run (which may still hold an older version of the file): the module must import without error on ` +
      `its own. Fix it, then run again.`,
    { cause },
  );
  failure.stack = `${failure.name}: ${failure.message}\nCaused by: ${cause.stack ?? cause.message}`;
  return failure;
}

const runs = new Map<string, Promise<RunContext>>();
const MAX_CACHED_RUNS = 8;

async function readRunContext(request: TaskRequest, flowClass: Function): Promise<RunContext> {
  const { definition, graph, graphInfo } = checkFlowClass(flowClass);
  const datastore = new Datastore({ root: request.datastoreRoot });
  const flowName = definition.name;
  const parametersTask = { flowName, runId: request.run.runId, stepName: PARAMETERS_STEP, taskId: "0" };
  const stored = await datastore.readTask(parametersTask);
  const loaded = await loadTask(datastore, parametersTask, new DecodeCache(datastore, flowName), "all", stored.artifacts);
  const parameterValues: Record<string, unknown> = {};
  for (const parameter of definition.parameters) parameterValues[parameter.name] = loaded.values.get(parameter.attribute);
  return {
    definition,
    graph,
    graphInfo,
    datastore,
    flowName,
    runId: request.run.runId,
    originRunId: request.run.originRunId,
    userName: request.run.userName,
    tags: request.run.tags,
    parametersTask,
    parametersRecords: new Map(Object.entries(stored.artifacts)),
    parameterValues,
    readOnly: new Set([...definition.parameters.map((p) => p.attribute), ...definition.constants.keys()]),
    maxNumSplits: request.run.maxNumSplits,
    flowModule: request.flow.module,
    onEvent: undefined,
    engineValueCache: new Map(),
    taskMetadataCache: new Map(),
  };
}

/** The run's facts, read once per run and flow class (a re-imported module is a new class). */
function runContextOf(request: TaskRequest, flowClass: Function): Promise<RunContext> {
  const key = `${request.datastoreRoot}\0${request.flow.module}\0${request.flow.className}\0${request.run.runId}`;
  let context = runs.get(key);
  if (!context) {
    context = readRunContext(request, flowClass);
    context.catch(() => runs.delete(key));
    runs.set(key, context);
    if (runs.size > MAX_CACHED_RUNS) runs.delete(runs.keys().next().value!);
  }
  return context;
}

/** The run's context and the task's spec, as the in-process executor would have them. */
async function attemptOf(request: TaskRequest, hooks: TaskRunnerHooks): Promise<{ run: RunContext; spec: TaskSpec }> {
  if (request.version !== TASK_REQUEST_VERSION) {
    throw new Error(`This worker runs task requests of version ${TASK_REQUEST_VERSION}, not ${String(request.version)}: run the same wbflow version on both sides.`);
  }
  applyRequestEnv(request.env, hooks.ownEnv);
  const flowClass = await (hooks.loadFlowClass ?? importFlowClass)(request.flow);
  const run = await runContextOf(request, flowClass);
  const { task } = request;
  const spec: TaskSpec = {
    stepName: task.stepName,
    taskId: task.taskId,
    parents: task.parents,
    ...(task.parentRecords ? { parentRecords: task.parentRecords } : {}),
    foreachStack: task.foreachStack,
    branchStack: task.branchStack,
    iterationStack: task.iterationStack,
  };
  return { run, spec };
}

/**
 * Runs the attempt a request describes and returns its plain result. A failing step is a result
 * (status "failed"); this rejects only when the attempt could not be run (a module that cannot be
 * imported, an unreadable datastore, a request of another version).
 */
export async function runTaskRequest(request: TaskRequest, hooks: TaskRunnerHooks = {}): Promise<TaskResult> {
  const { run, spec } = await attemptOf(request, hooks);
  const output = { stdout: "", stderr: "" };
  const result = await executeAttempt(run, spec, request.task.attempt, {
    onOutput: (stream, text) => {
      output[stream] += text;
      hooks.onEvent?.({ type: "output", stream, text });
    },
  });
  return taskResultOf(result, output);
}

/**
 * Stores the request's attempt as failed with `error`, for an attempt whose process was lost
 * elsewhere (no hook or step body runs), and returns its result with the decorators' decision:
 * `retry` set when @retry allows another attempt, else a failure (or @catch's handled one).
 */
export async function recordLostTaskRequest(request: TaskRequest, error: Error, hooks: TaskRunnerHooks = {}): Promise<TaskResult> {
  const { run, spec } = await attemptOf(request, hooks);
  const result = await executeAttempt(run, spec, request.task.attempt, { lost: { error, output: { stdout: "", stderr: "" } } });
  return taskResultOf(result, { stdout: "", stderr: "" });
}
