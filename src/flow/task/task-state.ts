/**
 * The artifact state of one running task and the `this` a step sees: a proxy over the flow object
 * that serves stored artifacts, records assignments, guards read-only names and reports activity.
 */
import type { ArtifactRecord } from "../datastore/datastore.js";
import { ENGINE_ARTIFACTS, FLOW_API_NAMES } from "../define/engine-artifacts.js";
import { FlowDefinitionError, NotInTaskError, ReadOnlyAttributeError } from "../errors.js";
import type { FlowDefinition } from "../define/flow-definition.js";
import type { ForeachFrame } from "./foreach.js";
import type { ForeachInputs } from "./task-load.js";
import type { FlowGraph } from "../graph/graph.js";
import type { ArtifactActivity, ArtifactRead } from "./middleware.js";

/** The transition a step chose with `this.next(...)`. */
export interface ChosenTransition {
  targets: string[];
  foreachVar: string | null;
  /** Foreach: the elements iterated over. */
  elements?: unknown[];
  /** Switch: the condition value that selected the target. */
  switchValue?: string;
}

/** Collects artifact activity listeners of a task and the writes of its body. */
export class ArtifactActivityHub implements ArtifactActivity {
  private readonly readListeners: Array<(read: ArtifactRead) => void> = [];
  private readonly writeListeners: Array<(name: string) => void> = [];
  constructor(private readonly writtenValues: () => ReadonlyMap<string, unknown>) {}
  onRead(listener: (read: ArtifactRead) => void): void {
    this.readListeners.push(listener);
  }
  onWrite(listener: (name: string) => void): void {
    this.writeListeners.push(listener);
  }
  written(): ReadonlyMap<string, unknown> {
    return this.writtenValues();
  }
  /** Reports a read to the listeners. */
  emitRead(read: ArtifactRead): void {
    for (const listener of this.readListeners) listener(read);
  }
  /** Reports a write to the listeners. */
  emitWrite(name: string): void {
    for (const listener of this.writeListeners) listener(name);
  }
}

/** Everything a task starts from. */
export interface TaskStart {
  definition: FlowDefinition;
  graph: FlowGraph;
  stepName: string;
  pathspec: string;
  /** Records of the starting point: inherited from the parent, or parameters/constants for joins. */
  records: Map<string, ArtifactRecord>;
  /** Decoded values of the user-visible starting records. */
  values: Map<string, unknown>;
  /** Parameter and constant attribute names. */
  readOnly: ReadonlySet<string>;
  foreachStack: ForeachFrame[];
  /** Each foreach level's element when it was read on its own (see loadForeachInputs). */
  foreachInputs?: ForeachInputs;
  isJoin: boolean;
  maxNumSplits: number;
}

/** The mutable artifact state of one task attempt. */
export class TaskState {
  readonly written = new Map<string, unknown>();
  readonly deleted = new Set<string>();
  /** Records copied in by mergeArtifacts, with their values when they were loaded. */
  readonly merged = new Map<string, { record: ArtifactRecord; value: unknown; loaded: boolean }>();
  /** Starting artifacts the body read (candidates for re-persisting in-place mutations). */
  readonly read = new Set<string>();
  readonly activity: ArtifactActivityHub;
  transition: ChosenTransition | undefined;
  /** Set when the body has finished (or timed out): later writes are refused. */
  closed = false;

  /** `activity`: a hub made before the state (hooks may subscribe before the inputs are loaded). */
  constructor(
    readonly start: TaskStart,
    activity?: ArtifactActivityHub,
  ) {
    this.activity = activity ?? new ArtifactActivityHub(() => this.written);
  }

  get stepName(): string {
    return this.start.stepName;
  }

  /**
   * The value of an artifact visible to the step, or `found: false`. A starting artifact looked up
   * is re-persisted after the body in case it was changed in place, unless `inPlaceChanges` is
   * false (the caller hands out no way to change it).
   */
  lookup(name: string, inPlaceChanges = true): { found: boolean; value?: unknown } {
    if (this.deleted.has(name)) return { found: false };
    if (this.written.has(name)) return { found: true, value: this.written.get(name) };
    const merged = this.merged.get(name);
    if (merged) {
      if (!merged.loaded) throw notLoadedError(name, `step '${this.stepName}'`);
      this.activity.emitRead({ name, record: merged.record, source: { kind: "self" } });
      return { found: true, value: merged.value };
    }
    if (!this.start.values.has(name) && isUserArtifact(name) && this.start.records.has(name)) {
      throw notLoadedError(name, `step '${this.stepName}'`);
    }
    if (this.start.values.has(name)) {
      if (inPlaceChanges) this.read.add(name);
      const record = this.start.records.get(name);
      if (record) this.activity.emitRead({ name, record, source: { kind: "self" } });
      return { found: true, value: this.start.values.get(name) };
    }
    return { found: false };
  }

  /** Records `this.name = value`, refusing read-only and reserved names. */
  assign(name: string, value: unknown): void {
    const where = `step '${this.stepName}' of flow ${this.start.definition.name}`;
    if (this.closed) {
      throw new NotInTaskError(`this.${name} was assigned after ${where} had finished (or timed out); the value is not saved.`);
    }
    if (this.start.readOnly.has(name)) {
      throw new ReadOnlyAttributeError(
        `In ${where}: this.${name} is a parameter or flow-level constant, and those cannot be changed during a run. ` +
          `Store the new value under another name, e.g. this.${name}Adjusted = ...`,
      );
    }
    if (FLOW_API_NAMES.has(name) || this.start.definition.steps.has(name) || ENGINE_ARTIFACTS.has(name)) {
      throw new FlowDefinitionError(
        `In ${where}: this.${name} cannot be assigned because '${name}' is ${
          ENGINE_ARTIFACTS.has(name) ? "an artifact the engine writes itself" : "a step or part of the flow API"
        }. Choose another artifact name.`,
      );
    }
    this.deleted.delete(name);
    this.written.set(name, value);
    this.activity.emitWrite(name);
  }

  /** `delete this.name`: the artifact is not passed on. */
  remove(name: string): void {
    if (this.start.readOnly.has(name)) {
      throw new ReadOnlyAttributeError(`In step '${this.stepName}': this.${name} is a parameter or constant and cannot be deleted.`);
    }
    this.written.delete(name);
    this.merged.delete(name);
    this.deleted.add(name);
  }

  /** Whether an artifact of that name is visible. */
  has(name: string): boolean {
    if (this.deleted.has(name)) return false;
    return this.written.has(name) || this.merged.has(name) || (isUserArtifact(name) && this.start.records.has(name));
  }

  /** Every visible user artifact name. */
  visibleNames(): string[] {
    const stored = [...this.start.records.keys()].filter(isUserArtifact);
    const names = new Set([...stored, ...this.merged.keys(), ...this.written.keys()]);
    return [...names].filter((n) => !this.deleted.has(n));
  }
}

/** Whether a stored name is a user artifact (not the engine's bookkeeping). */
export function isUserArtifact(name: string): boolean {
  return !ENGINE_ARTIFACTS.has(name);
}

/**
 * A stored artifact that was not decoded because the step's source never mentions its name: it was
 * reached by a computed name the source analysis could not see.
 */
export function notLoadedError(name: string, where: string): Error {
  return new NotInTaskError(
    `In ${where}: artifact '${name}' was not loaded, because its name does not appear in the step's source ` +
      `(steps load only the artifacts they mention). Mention it in the step, e.g. \`const { ${name} } = this\`, ` +
      `or read it with a literal name.`,
  );
}

const TASK_STATE = Symbol.for("wbflow.taskState");

/** The task state behind a step's `this`; throws NotInTaskError outside a running task. */
export function taskStateOf(flow: object, what: string): TaskState {
  const state = (flow as { [TASK_STATE]?: TaskState })[TASK_STATE];
  if (!state) {
    throw new NotInTaskError(
      `${what} can only be used inside a running step. Run the flow with await MyFlow.run() instead of calling steps directly.`,
    );
  }
  return state;
}

/** Whether `value` is a step's `this` (a flow object), which cannot be stored as an artifact. */
export function isFlowObject(value: unknown): boolean {
  return typeof value === "object" && value !== null && (value as { [TASK_STATE]?: TaskState })[TASK_STATE] !== undefined;
}

/** Creates the `this` of a step: a proxy over a fresh flow object (no constructor call). */
export function createFlowProxy(prototype: object, state: TaskState): object {
  const target = Object.create(prototype) as object;
  Object.defineProperty(target, TASK_STATE, { value: state, enumerable: false });
  return new Proxy(target, {
    get(object, key, receiver) {
      if (typeof key === "string") {
        const found = state.lookup(key);
        if (found.found) return found.value;
      }
      return Reflect.get(object, key, receiver);
    },
    set(object, key, value, receiver) {
      if (typeof key === "symbol" || key.startsWith("__")) return Reflect.set(object, key, value, receiver);
      state.assign(key, value);
      return true;
    },
    defineProperty(object, key, descriptor) {
      if (typeof key === "symbol" || key.startsWith("__") || !("value" in descriptor)) {
        return Reflect.defineProperty(object, key, descriptor);
      }
      state.assign(key, descriptor.value);
      return true;
    },
    deleteProperty(object, key) {
      if (typeof key === "string" && state.has(key)) {
        state.remove(key);
        return true;
      }
      return Reflect.deleteProperty(object, key);
    },
    has(object, key) {
      return (typeof key === "string" && state.has(key)) || Reflect.has(object, key);
    },
    ownKeys(object) {
      return [...new Set([...Reflect.ownKeys(object), ...state.visibleNames()])];
    },
    getOwnPropertyDescriptor(object, key) {
      if (typeof key === "string" && state.has(key)) {
        return { value: state.lookup(key).value, writable: true, enumerable: true, configurable: true };
      }
      return Reflect.getOwnPropertyDescriptor(object, key);
    },
  });
}
