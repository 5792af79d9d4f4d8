/** Persisting a task's output: inherited references, merged references, written values, bookkeeping. */
import type { ArtifactRecord } from "../datastore/datastore.js";
import { ArtifactStoreError } from "../errors.js";
import type { RunContext } from "../runtime/run-context.js";
import { joinInputOf } from "./join-inputs.js";
import { isFlowObject, type TaskState } from "./task-state.js";

/** The flow object and join inputs are views of stored data, not values: name the mistake clearly. */
function refuseFlowObjects(value: unknown, name: string): void {
  const isInputs = Array.isArray(value) && value.length > 0 && value.every((v) => joinInputOf(v) !== undefined);
  if (isFlowObject(value) || joinInputOf(value) !== undefined || isInputs) {
    throw new TypeError(
      `this.${name} holds ${isFlowObject(value) ? "the flow object itself (this)" : "join inputs"}, which cannot be stored. ` +
        `Store the specific values instead, e.g. this.${name} = inputs.map((input) => input.score).`,
    );
  }
}

function isMutableObject(value: unknown): boolean {
  return typeof value === "object" && value !== null && !Object.isFrozen(value);
}

/**
 * Stores the user artifacts of a finished (or failed) task and returns the full record set.
 * With `strict`, a value that cannot be stored throws an ArtifactStoreError naming the step and
 * attribute; otherwise (a task that already failed) such values are skipped and reported in `skipped`.
 */
export async function persistUserArtifacts(
  run: RunContext,
  state: TaskState,
  pathspec: string,
  strict: boolean,
): Promise<{ records: Map<string, ArtifactRecord>; skipped: ArtifactStoreError[] }> {
  const records = new Map(state.start.records);
  for (const name of state.deleted) records.delete(name);
  for (const [name, { record }] of state.merged) records.set(name, record);
  const skipped: ArtifactStoreError[] = [];
  const store = async (name: string, value: unknown): Promise<ArtifactRecord | undefined> => {
    try {
      refuseFlowObjects(value, name); // the error is wrapped below with the step's name
      const stored = await run.datastore.putValue(run.flowName, value);
      return { name, ...stored, producedBy: pathspec };
    } catch (error) {
      const wrapped = new ArtifactStoreError(
        `Step '${state.stepName}' of flow ${run.flowName} could not store this.${name}: ${(error as Error).message}`,
        state.stepName,
        name,
        { cause: error },
      );
      if (strict) throw wrapped;
      skipped.push(wrapped);
      return undefined;
    }
  };
  const writes = [...state.written].map(async ([name, value]) => {
    const record = await store(name, value);
    if (record) records.set(name, record);
  });
  // A value read and changed in place (this.items.push(...)) is stored again; same bytes keep the old record.
  const rereads = [...state.read]
    .filter((name) => !state.written.has(name) && !state.deleted.has(name) && !state.start.readOnly.has(name))
    .filter((name) => state.start.records.get(name)?.codec === "v8" && isMutableObject(state.start.values.get(name)))
    .map(async (name) => {
      const record = await store(name, state.start.values.get(name));
      if (record && record.sha !== state.start.records.get(name)?.sha) records.set(name, record);
    });
  await Promise.all([...writes, ...rereads]);
  return { records, skipped };
}

/** Stores the engine's bookkeeping values (small JSON), reusing blobs already stored in this run. */
export async function persistEngineArtifacts(
  run: RunContext,
  values: Record<string, unknown>,
  pathspec: string,
  into: Map<string, ArtifactRecord>,
): Promise<void> {
  await Promise.all(
    Object.entries(values).map(async ([name, value]) => {
      const key = JSON.stringify(value) ?? "undefined";
      let stored = run.engineValueCache.get(key);
      if (!stored) {
        stored = run.datastore.putValue(run.flowName, value);
        run.engineValueCache.set(key, stored);
      }
      into.set(name, { name, ...(await stored), producedBy: pathspec });
    }),
  );
}
