/**
 * Executes one attempt of one task: load the stored inputs, run the step body (inside `current`,
 * output capture and the decorators' middleware), then persist everything, even after a failure.
 */
import { pathspecOf, type ArtifactRecord, type TaskKey } from "../datastore/datastore.js";
import { InvalidNextError } from "../errors.js";
import { foreachValueLabel, type ForeachFrame } from "./foreach.js";
import { createJoinInputs, type JoinInput } from "./join-inputs.js";
import { captureOutput, type CapturedOutput } from "./log-capture.js";
import { composeMiddleware, type TaskContext, type TaskMiddleware } from "./middleware.js";
import { runWithCurrentTask } from "./current.js";
import { createTaskContext, currentTaskOf } from "./task-context.js";
import { pathspecIndexOf, taskKeyOf, type RunContext, type TaskSpec } from "../runtime/run-context.js";
import type { AppliedDecorator, DecoratorOptions } from "../define/step-decorator.js";
import type { LoadPlan } from "../define/flow-definition.js";
import { DecodeCache, loadTask } from "./task-load.js";
import { persistEngineArtifacts, persistUserArtifacts } from "./task-persist.js";
import { createFlowProxy, TaskState, type ChosenTransition } from "./task-state.js";

/** How one attempt ended. */
export interface AttemptResult {
  /** Finished OK, or failed and was handled by @catch. */
  ok: boolean;
  /** Whether @catch handled a failure. */
  caught: boolean;
  error: Error | undefined;
  transition: ChosenTransition | undefined;
  artifacts: Record<string, ArtifactRecord>;
}

/** The exception as stored in `_exception` and `@catch`'s variable. */
export interface StoredError {
  type: string;
  message: string;
  stack: string | undefined;
}

function toError(value: unknown): Error {
  return value instanceof Error ? value : new Error(`A step threw a non-Error value: ${String(value)}`);
}

function storedError(error: Error): StoredError {
  return { type: error.name, message: error.message, stack: error.stack };
}

async function loadStart(run: RunContext, spec: TaskSpec, isJoin: boolean, plan: LoadPlan, cache: DecodeCache) {
  // `this.input` and `this.foreachStack()` need the iterated artifacts.
  const wanted = plan === "all" ? plan : new Set([...plan, ...spec.foreachStack.map((f) => f.var)]);
  if (!isJoin) {
    const parent = await loadTask(run.datastore, spec.parents[0]!, cache, wanted, spec.parentRecords?.[0]);
    return { records: parent.records, values: parent.values, inputs: [] as JoinInput[] };
  }
  const [own, ...inputs] = await Promise.all([
    loadTask(run.datastore, run.parametersTask, cache, wanted, Object.fromEntries(run.parametersRecords)),
    ...spec.parents.map(async (key, i): Promise<JoinInput> => {
      const loaded = await loadTask(run.datastore, key, cache, wanted, spec.parentRecords?.[i]);
      return { stepName: key.stepName, pathspec: pathspecOf(key), ...loaded };
    }),
  ]);
  return { records: own!.records, values: own!.values, inputs: inputs as JoinInput[] };
}

function middlewareChain(
  decorators: AppliedDecorator[],
  base: Omit<TaskContext, "decoratorOptions">,
): Array<{ middleware: TaskMiddleware; ctx: TaskContext }> {
  // The decorator applied last is the outermost, as when functions wrap functions.
  return [...decorators]
    .reverse()
    .filter((d) => d.definition.middleware)
    .map((d) => ({ middleware: d.definition.middleware!, ctx: { ...base, decoratorOptions: d.options } }));
}

/** Runs one attempt of a task and persists its outcome. */
export async function executeAttempt(
  run: RunContext,
  spec: TaskSpec,
  attempt: number,
  /** The step's @catch options, and whether this attempt is the last, where @catch handles a failure. */
  catching: { options: DecoratorOptions | undefined; lastAttempt: boolean },
): Promise<AttemptResult> {
  const key: TaskKey = taskKeyOf(run, spec.stepName, spec.taskId);
  const pathspec = pathspecOf(key);
  const step = run.definition.steps.get(spec.stepName)!;
  const node = run.graph.nodes.get(spec.stepName)!;
  const isJoin = node.argumentCount > 0;
  const startedAt = Date.now();
  // The attempt record is written while the task loads and runs; it is awaited before the outcome
  // is stored, so a finished attempt always has its start record.
  const attemptStarted = run.datastore.startAttempt(key, attempt);
  attemptStarted.catch(() => undefined); // awaited (and reported) below

  const output: CapturedOutput = { stdout: [], stderr: [] };
  const metadata: Record<string, unknown> = {};
  let state: TaskState | undefined;
  let failure: Error | undefined;
  try {
    const start = await loadStart(run, spec, isJoin, step.loadPlan, new DecodeCache(run.datastore, run.flowName));
    state = new TaskState({
      definition: run.definition,
      graph: run.graph,
      stepName: spec.stepName,
      pathspec,
      records: start.records,
      values: start.values,
      readOnly: run.readOnly,
      foreachStack: spec.foreachStack,
      isJoin,
      maxNumSplits: run.maxNumSplits,
    });
    const taskState = state;
    const flow = createFlowProxy(run.definition.flowClass.prototype as object, taskState);
    const inputs = isJoin ? createJoinInputs(start.inputs, taskState.activity) : undefined;
    const base = createTaskContext(run, spec, attempt, pathspec, taskState.activity, metadata);
    const body = async (): Promise<void> => {
      await (step.fn as (...args: unknown[]) => unknown).call(flow, ...(inputs ? [inputs] : []));
      if (spec.stepName !== run.graph.end && !taskState.transition) {
        throw new InvalidNextError(
          `Step '${spec.stepName}' finished without calling this.next(...). Call it as the step's last statement ` +
            `(an early return or an exception path may have skipped it).`,
        );
      }
    };
    const chain = middlewareChain(step.decorators, base);
    const current = currentTaskOf(run, spec, attempt);
    await captureOutput(output, () => runWithCurrentTask(current, composeMiddleware(chain, body)));
  } catch (error) {
    failure = toError(error);
  }
  if (state) state.closed = true;

  let caught = false;
  const catchOptions = catching.options;
  if (failure && catchOptions && catching.lastAttempt && state) {
    caught = true;
    const variable = catchOptions.var;
    if (typeof variable === "string") state.written.set(variable, storedError(failure));
    state.transition = { targets: node.outFuncs, foreachVar: null };
    if (catchOptions.printException !== false) {
      process.stderr.write(`@catch handled an exception in ${pathspec}: ${failure.stack ?? failure.message}\n`);
      output.stderr.push(`@catch handled an exception: ${failure.stack ?? failure.message}\n`);
    }
  } else if (!failure && catchOptions && state && typeof catchOptions.var === "string") {
    state.written.set(catchOptions.var, null);
  }

  await attemptStarted;
  // The engine's values are stored alongside the user's, assuming the outcome so far; if storing a
  // user value fails, the task fails and they are stored again with the failure.
  const outcome = () => {
    const transition = failure && !caught ? undefined : state?.transition;
    return { transition, ok: !failure || caught, values: engineValues(spec, transition, !failure || caught, !failure, failure) };
  };
  const planned = outcome();
  const engineRecords = new Map<string, ArtifactRecord>();
  const enginePersisted = persistEngineArtifacts(run, planned.values, pathspec, engineRecords);
  let records = new Map<string, ArtifactRecord>();
  if (state) {
    try {
      const persisted = await persistUserArtifacts(run, state, pathspec, failure === undefined);
      records = persisted.records;
      for (const skipped of persisted.skipped) output.stderr.push(`${skipped.message}\n`);
    } catch (error) {
      failure = toError(error);
      caught = false;
      records = new Map(state.start.records);
    }
  }
  await enginePersisted;
  const { transition, ok, values } = outcome();
  if (JSON.stringify(values) !== JSON.stringify(planned.values)) {
    await persistEngineArtifacts(run, values, pathspec, engineRecords);
  }
  for (const [name, record] of engineRecords) records.set(name, record);
  const artifacts = Object.fromEntries(records);
  await writeLogs(run, key, attempt, output);
  await run.datastore.finishAttempt(key, attempt, {
    artifacts,
    metadata: {
      attempt,
      retryCount: attempt,
      pathspecIndex: `${run.runId}/${pathspecIndexOf(spec)}`,
      parentTaskIds: spec.parents.map((p) => `${p.stepName}/${p.taskId}`),
      foreachExecutionPath: spec.foreachStack.map((f: ForeachFrame) => `${f.step}:${f.index}`).join(","),
      ...(run.originRunId === undefined ? {} : { originRunId: run.originRunId }),
      startedAt,
      finishedAt: Date.now(),
      userName: run.userName,
      ...metadata,
    },
  });
  return { ok, caught, error: failure, transition, artifacts };
}

function engineValues(
  spec: TaskSpec,
  transition: ChosenTransition | undefined,
  ok: boolean,
  success: boolean,
  failure: Error | undefined,
): Record<string, unknown> {
  const values: Record<string, unknown> = {
    _task_ok: ok,
    _success: success,
    _exception: failure ? storedError(failure) : null,
    _transition: transition ? [transition.targets, transition.foreachVar] : null,
    _foreach_stack: spec.foreachStack,
    _iteration_stack: spec.iterationStack,
    _foreach_var: transition?.foreachVar ?? null,
    _foreach_num_splits: transition?.elements?.length ?? null,
  };
  if (transition?.elements) {
    values._foreach_values = transition.elements.map(foreachValueLabel);
  }
  return values;
}

async function writeLogs(run: RunContext, key: TaskKey, attempt: number, output: CapturedOutput): Promise<void> {
  for (const stream of ["stdout", "stderr"] as const) {
    const text = output[stream].join("");
    if (text) await run.datastore.appendLog(key, attempt, stream, text);
  }
}
