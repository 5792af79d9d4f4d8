/**
 * Storing what an attempt produced: the engine's bookkeeping artifacts (`_task_ok`, `_transition`...),
 * the user's artifacts, the captured output and the attempt's metadata. A value that cannot be stored
 * fails the task (which the decorators may retry); everything storable is kept even after a failure.
 */
import { pathspecOf, type ArtifactRecord, type TaskKey } from "../datastore/datastore.js";
import { foreachValueLabel } from "./foreach.js";
import type { CapturedOutput } from "./log-capture.js";
import { persistEngineArtifacts, persistUserArtifacts } from "./task-persist.js";
import type { ChosenTransition } from "./task-state.js";
import { storedErrorOf, toError } from "./stored-error.js";
import { retryAfter, type AttemptBodyOutcome } from "./attempt-body.js";
import { pathspecIndexOf, taskKeyOf, type RunContext, type TaskSpec } from "../runtime/run-context.js";

/** The outcome once stored: what the scheduler needs for the next transitions. */
export interface StoredOutcome {
  ok: boolean;
  caught: boolean;
  failure: Error | undefined;
  retry: { delayMs: number } | undefined;
  transition: ChosenTransition | undefined;
  artifacts: Record<string, ArtifactRecord>;
}

function engineValues(spec: TaskSpec, outcome: { failure: Error | undefined; caught: boolean; transition: ChosenTransition | undefined }) {
  const { failure, caught, transition } = outcome;
  const values: Record<string, unknown> = {
    _task_ok: !failure || caught,
    _success: !failure,
    _exception: failure ? storedErrorOf(failure) : null,
    _transition: transition ? [transition.targets, transition.foreachVar] : null,
    _foreach_stack: spec.foreachStack,
    _iteration_stack: spec.iterationStack,
    _foreach_var: transition?.foreachVar ?? null,
    _foreach_num_splits: transition?.elements?.length ?? null,
  };
  if (transition?.elements) values._foreach_values = transition.elements.map(foreachValueLabel);
  return values;
}

/**
 * Stores the engine's and the user's artifacts. The engine's values are stored alongside the user's,
 * assuming the outcome so far; if storing a user value fails, the task fails and they are stored again.
 */
export async function storeArtifacts(run: RunContext, spec: TaskSpec, pathspec: string, body: AttemptBodyOutcome, attempt: number, output: CapturedOutput): Promise<StoredOutcome> {
  let { failure, caught, retry } = body;
  const { state } = body;
  const outcome = () => {
    const transition = failure && !caught ? undefined : state?.transition;
    return { ok: !failure || caught, transition, values: engineValues(spec, { failure, caught, transition }) };
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
      retry = await retryAfter(body.chain, attempt, failure);
      records = new Map(state.start.records);
    }
  }
  await enginePersisted;
  const { ok, transition, values } = outcome();
  if (JSON.stringify(values) !== JSON.stringify(planned.values)) await persistEngineArtifacts(run, values, pathspec, engineRecords);
  for (const [name, record] of engineRecords) records.set(name, record);
  return { ok, caught, failure, retry, transition, artifacts: Object.fromEntries(records) };
}

/** Appends the attempt's captured output to the task's logs. */
export async function writeLogs(run: RunContext, key: TaskKey, attempt: number, output: CapturedOutput): Promise<void> {
  for (const stream of ["stdout", "stderr"] as const) {
    const text = output[stream].join("");
    if (text) await run.datastore.appendLog(key, attempt, stream, text);
  }
}

/** Marks the attempt finished in the store, with its artifacts and metadata (the middleware's included). */
export async function finishAttempt(
  run: RunContext,
  spec: TaskSpec,
  attempt: number,
  artifacts: Record<string, ArtifactRecord>,
  times: { startedAt: number },
  metadata: Record<string, unknown>,
): Promise<void> {
  const key = taskKeyOf(run, spec.stepName, spec.taskId);
  await run.datastore.finishAttempt(key, attempt, {
    artifacts,
    metadata: {
      attempt,
      retryCount: attempt,
      pathspecIndex: `${run.runId}/${pathspecIndexOf(spec)}`,
      parentTaskIds: spec.parents.map((p) => `${p.stepName}/${p.taskId}`),
      foreachExecutionPath: spec.foreachStack.map((f) => `${f.step}:${f.index}`).join(","),
      ...(run.originRunId === undefined ? {} : { originRunId: run.originRunId }),
      startedAt: times.startedAt,
      finishedAt: Date.now(),
      userName: run.userName,
      ...metadata,
    },
  });
}

/** `Flow/run/step/task` of a task of this run. */
export function taskPathspec(run: RunContext, spec: TaskSpec): string {
  return pathspecOf(taskKeyOf(run, spec.stepName, spec.taskId));
}
