/** Loading the stored artifacts a task starts from. */
import type { ArtifactRecord, Datastore, TaskKey } from "../datastore/datastore.js";
import { ENGINE_ARTIFACTS } from "../define/engine-artifacts.js";
import type { ForeachFrame } from "./foreach.js";

/** A stored task's records and its decoded user-visible values. */
export interface LoadedTask {
  records: Map<string, ArtifactRecord>;
  values: Map<string, unknown>;
}

/**
 * Decodes blobs at most once per task: equal content (same sha) decodes to the same value, e.g. the
 * foreach list every input of a foreach join inherited.
 */
export class DecodeCache {
  private readonly values = new Map<string, Promise<unknown>>();
  constructor(
    private readonly datastore: Datastore,
    private readonly flowName: string,
  ) {}
  get(record: ArtifactRecord): Promise<unknown> {
    let value = this.values.get(record.sha);
    if (!value) {
      value = this.datastore.getValue(this.flowName, record);
      this.values.set(record.sha, value);
    }
    return value;
  }
}

/**
 * Reads a stored task and decodes its artifacts except the engine's bookkeeping: all of them, or
 * only the names in `wanted` (the others stay as records, not decoded).
 */
export async function loadTask(
  datastore: Datastore,
  key: TaskKey,
  cache: DecodeCache,
  wanted: ReadonlySet<string> | "all" = "all",
  knownRecords?: Record<string, ArtifactRecord>,
): Promise<LoadedTask> {
  const records = new Map(Object.entries(knownRecords ?? (await datastore.readTask(key)).artifacts));
  const values = new Map<string, unknown>();
  await Promise.all(
    [...records].map(async ([name, record]) => {
      if (!ENGINE_ARTIFACTS.has(name) && (wanted === "all" || wanted.has(name))) values.set(name, await cache.get(record));
    }),
  );
  return { records, values };
}

/** Reads one engine artifact (e.g. `_transition`) of a stored task, or undefined. */
export async function readEngineArtifact(datastore: Datastore, key: TaskKey, name: string): Promise<unknown> {
  const stored = await datastore.readTask(key);
  const record = stored.artifacts[name];
  return record ? datastore.getValue(key.flowName, record) : undefined;
}

/**
 * The element of each enclosing foreach (`this.input`, `this.foreachStack()`), by level; undefined
 * where the iterated list is decoded whole (the step mentions it) or not visible (a join).
 */
export type ForeachInputs = ReadonlyArray<{ value: unknown } | undefined>;

/**
 * Reads each enclosing foreach's element on its own from the list's element index, so an n-way
 * foreach costs O(n) in all instead of every split decoding the whole list. A list stored some other
 * way (inline, another codec) is decoded whole into `loaded.values`, as the step had mentioned it.
 */
export async function loadForeachInputs(
  datastore: Datastore,
  flowName: string,
  frames: readonly ForeachFrame[],
  loaded: LoadedTask,
  cache: DecodeCache,
): Promise<ForeachInputs> {
  return Promise.all(
    frames.map(async (frame) => {
      const record = loaded.records.get(frame.var);
      if (!record || loaded.values.has(frame.var)) return undefined;
      const element = await datastore.getListElement(flowName, record, frame.index);
      if (element) return element;
      loaded.values.set(frame.var, await cache.get(record));
      return undefined;
    }),
  );
}
