/**
 * The live part of a task attempt: load the stored inputs, run the decorators' hooks and middleware
 * around the step body (bounded by their time limit), then let the hooks settle the outcome
 * (retry decision, failure handling or success). Runs inside the task's `current` and output capture.
 */
import { pathspecOf } from "../datastore/datastore.js";
import { InvalidNextError, TaskInterruptedError, TaskNotRunError } from "../errors.js";
import type { AppliedDecorator } from "../define/step-decorator.js";
import { createJoinInputs, type JoinInput } from "./join-inputs.js";
import {
  decideRetry,
  largestResourceNeeds,
  runAttemptStartHooks,
  runTaskFailureHooks,
  runTaskSuccessHooks,
  shortestTimeLimit,
  type BoundHooks,
  type ResourceNeeds,
  type TimeLimit,
} from "./lifecycle.js";
import { composeMiddleware, type TaskContext } from "./middleware.js";
import { createTaskContext } from "./task-context.js";
import { DecodeCache, loadForeachInputs, loadTask } from "./task-load.js";
import { ArtifactActivityHub, createFlowProxy, TaskState } from "./task-state.js";
import { toError } from "./stored-error.js";
import type { RunContext, TaskSpec } from "../runtime/run-context.js";
import { MAX_ATTEMPTS } from "./attempt-limit.js";

/** How the live part of an attempt ended. */
export interface AttemptBodyOutcome {
  /** Undefined when the task's inputs could not be loaded. */
  state: TaskState | undefined;
  failure: Error | undefined;
  /** A decorator handled the final failure: the run goes on. */
  caught: boolean;
  /** Set when the attempt failed and the decorators asked for another one. */
  retry: { delayMs: number } | undefined;
  /** The decorators' hooks, bound to this attempt (to decide on a failure found later, when storing). */
  chain: readonly BoundHooks[];
}

/** The decorators' hooks bound to this attempt, outermost decorator first (the one applied last). */
function hookChain(decorators: readonly AppliedDecorator[], base: Omit<TaskContext, "decoratorOptions">): BoundHooks[] {
  return [...decorators].reverse().map((d) => ({ hooks: d.definition, ctx: { ...base, decoratorOptions: d.options } }));
}

async function loadStart(run: RunContext, spec: TaskSpec, isJoin: boolean, cache: DecodeCache) {
  const plan = run.definition.steps.get(spec.stepName)!.loadPlan;
  const wanted = plan;
  if (!isJoin) {
    const parent = await loadTask(run.datastore, spec.parents[0]!, cache, wanted, spec.parentRecords?.[0]);
    // `this.input` and `this.foreachStack()`: each split reads only its own element.
    const foreachInputs = await loadForeachInputs(run.datastore, run.flowName, spec.foreachStack, parent, cache);
    return { records: parent.records, values: parent.values, inputs: [] as JoinInput[], foreachInputs };
  }
  const [own, ...inputs] = await Promise.all([
    loadTask(run.datastore, run.parametersTask, cache, wanted, Object.fromEntries(run.parametersRecords)),
    ...spec.parents.map(async (key, i): Promise<JoinInput> => {
      const loaded = await loadTask(run.datastore, key, cache, wanted, spec.parentRecords?.[i]);
      return { stepName: key.stepName, pathspec: pathspecOf(key), ...loaded };
    }),
  ]);
  return { records: own!.records, values: own!.values, inputs: inputs as JoinInput[], foreachInputs: [] };
}

/** Loads the task's inputs into a fresh state and returns the step body to run on it. */
async function prepareBody(run: RunContext, spec: TaskSpec, pathspec: string, activity: ArtifactActivityHub) {
  const step = run.definition.steps.get(spec.stepName)!;
  const isJoin = run.graph.nodes.get(spec.stepName)!.argumentCount > 0;
  const start = await loadStart(run, spec, isJoin, new DecodeCache(run.datastore, run.flowName));
  const state = new TaskState(
    {
      definition: run.definition,
      graph: run.graph,
      stepName: spec.stepName,
      pathspec,
      records: start.records,
      values: start.values,
      readOnly: run.readOnly,
      foreachStack: spec.foreachStack,
      foreachInputs: start.foreachInputs,
      isJoin,
      maxNumSplits: run.maxNumSplits,
    },
    activity,
  );
  const flow = createFlowProxy(run.definition.flowClass.prototype as object, state);
  const inputs = isJoin ? createJoinInputs(start.inputs, state.activity) : undefined;
  const body = async (): Promise<void> => {
    await (step.fn as (...args: unknown[]) => unknown).call(flow, ...(inputs ? [inputs] : []));
    if (spec.stepName !== run.graph.end && !state.transition) {
      throw new InvalidNextError(
        `Step '${spec.stepName}' finished without calling this.next(...). Call it as the step's last statement ` +
          `(an early return or an exception path may have skipped it).`,
      );
    }
  };
  return { state, body };
}

/** The body, failing with the limit's error when it runs longer (it is abandoned, not stopped). */
function bounded(body: () => Promise<void>, limit: TimeLimit | undefined): () => Promise<void> {
  if (!limit) return body;
  return async () => {
    let timer: NodeJS.Timeout | undefined;
    const running = body();
    running.catch(() => undefined); // an abandoned body may still fail later; that is not this task's outcome
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(limit.error()), limit.milliseconds);
    });
    try {
      await Promise.race([running, expired]);
    } finally {
      clearTimeout(timer);
    }
  };
}

/**
 * What the step's decorators ask of an attempt before it runs: its time limit and resources. For
 * executors that enforce them from outside the attempt (ending a worker, sizing a pool).
 */
export function attemptRequirements(run: RunContext, spec: TaskSpec, attempt: number): { timeLimit: TimeLimit | undefined; resources: ResourceNeeds } {
  const chain = boundHooksOf(run, spec, attempt);
  return { timeLimit: shortestTimeLimit(chain), resources: largestResourceNeeds(chain) };
}

/** The step decorators' hooks bound to attempt `attempt` of a task (no step body runs). */
export function boundHooksOf(run: RunContext, spec: TaskSpec, attempt: number): BoundHooks[] {
  const pathspec = pathspecOf({ flowName: run.flowName, runId: run.runId, stepName: spec.stepName, taskId: spec.taskId });
  const base = createTaskContext(run, spec, attempt, pathspec, new ArtifactActivityHub(() => new Map()), {});
  return hookChain(run.definition.steps.get(spec.stepName)!.decorators, base);
}

/** Runs one attempt's hooks, middleware and step body, then settles its outcome with the hooks. */
export async function runAttemptBody(
  run: RunContext,
  spec: TaskSpec,
  attempt: number,
  pathspec: string,
  /** Receives what middleware adds with addMetadata. */
  metadata: Record<string, unknown>,
  /** Set when the attempt ran elsewhere and was lost (its worker died): no hook or body runs, it failed with this. */
  lost?: Error,
): Promise<AttemptBodyOutcome> {
  let state: TaskState | undefined;
  const activity = new ArtifactActivityHub(() => state?.written ?? new Map());
  const base = createTaskContext(run, spec, attempt, pathspec, activity, metadata);
  const chain = hookChain(run.definition.steps.get(spec.stepName)!.decorators, base);
  let failure: Error | undefined;
  try {
    const prepared = await prepareBody(run, spec, pathspec, activity);
    state = prepared.state;
    if (lost) throw lost;
    await runAttemptStartHooks(chain);
    const layers = chain.flatMap(({ hooks, ctx }) => (hooks.middleware ? [{ middleware: hooks.middleware, ctx }] : []));
    await composeMiddleware(layers, bounded(prepared.body, shortestTimeLimit(chain)))();
  } catch (error) {
    failure = toError(error);
  }
  if (state) state.closed = true;
  return { ...(await settle(run, spec, attempt, chain, state, failure)), state, chain };
}

/** Lets the hooks decide what the outcome means: retry, a handled failure, or success bookkeeping. */
async function settle(
  run: RunContext,
  spec: TaskSpec,
  attempt: number,
  chain: readonly BoundHooks[],
  state: TaskState | undefined,
  failure: Error | undefined,
): Promise<Pick<AttemptBodyOutcome, "failure" | "caught" | "retry">> {
  const setArtifact = (name: string, value: unknown): void => void state?.written.set(name, value);
  try {
    if (!failure) {
      if (state) await runTaskSuccessHooks(chain, setArtifact);
      return { failure, caught: false, retry: undefined };
    }
    // An interrupt is the user's decision to stop, not a failure of the step: no retry, no @catch. Nor
    // for an attempt never run because the run had already failed.
    if (failure instanceof TaskInterruptedError || failure instanceof TaskNotRunError) return { failure, caught: false, retry: undefined };
    const retry = await retryAfter(chain, attempt, failure);
    if (retry || !state) return { failure, caught: false, retry };
    const caught = await runTaskFailureHooks(chain, setArtifact, failure);
    // A handled failure continues along the step's only transition (lint refuses it elsewhere).
    if (caught) state.transition = { targets: run.graph.nodes.get(spec.stepName)!.outFuncs, foreachVar: null };
    return { failure, caught, retry: undefined };
  } catch (error) {
    // A hook that throws makes that error the task's failure, with no retry and no handling.
    return { failure: toError(error), caught: false, retry: undefined };
  }
}

/** The decorators' retry decision for a failed attempt, within the engine's attempt limit. */
export async function retryAfter(chain: readonly BoundHooks[], attempt: number, failure: Error): Promise<{ delayMs: number } | undefined> {
  return attempt < MAX_ATTEMPTS - 1 ? decideRetry(chain, failure) : undefined;
}
