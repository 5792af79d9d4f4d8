/**
 * The `inputs` of a join step: a read-only array of views of the incoming tasks' stored artifacts,
 * in a deterministic order (split index for foreach, declaration order for static splits), also
 * addressable by step name (`inputs.train`, the last input from that step).
 */
import type { ArtifactRecord } from "../datastore/datastore.js";
import { isUserArtifact, notLoadedError, type ArtifactActivityHub } from "./task-state.js";

/** One incoming task, as loaded for a join. */
export interface JoinInput {
  stepName: string;
  pathspec: string;
  records: Map<string, ArtifactRecord>;
  values: Map<string, unknown>;
}

/** A read-only view of one input task's artifacts: `inputs[0].x`. */
export type InputView = Readonly<Record<string, unknown>>;

/** The `inputs` argument of a join step. */
export type JoinInputs = readonly InputView[] & Readonly<Record<string, InputView>>;

const INPUT_DATA = Symbol.for("wbflow.joinInput");

/** The loaded task behind an input view, or undefined when `view` is not one. */
export function joinInputOf(view: unknown): JoinInput | undefined {
  return typeof view === "object" && view !== null ? (view as { [INPUT_DATA]?: JoinInput })[INPUT_DATA] : undefined;
}

function readOnlyError(input: JoinInput, key: string): Error {
  return new TypeError(
    `inputs from ${input.pathspec} are read-only (tried to change '${key}'). Assign to this.${key} in the join instead.`,
  );
}

function createView(input: JoinInput, activity: ArtifactActivityHub): InputView {
  return new Proxy(Object.create(null) as Record<string | symbol, unknown>, {
    get(_, key) {
      if (key === INPUT_DATA) return input;
      if (typeof key !== "string" || !isUserArtifact(key) || !input.records.has(key)) return undefined;
      if (!input.values.has(key)) throw notLoadedError(key, `the join input ${input.pathspec}`);
      activity.emitRead({ name: key, record: input.records.get(key)!, source: { kind: "input", pathspec: input.pathspec } });
      return input.values.get(key);
    },
    set(_, key) {
      throw readOnlyError(input, String(key));
    },
    deleteProperty(_, key) {
      throw readOnlyError(input, String(key));
    },
    defineProperty(_, key) {
      throw readOnlyError(input, String(key));
    },
    has(_, key) {
      return typeof key === "string" && isUserArtifact(key) && input.records.has(key);
    },
    ownKeys() {
      return [...input.records.keys()].filter(isUserArtifact);
    },
    getOwnPropertyDescriptor(_, key) {
      if (typeof key !== "string" || !isUserArtifact(key) || !input.records.has(key)) return undefined;
      if (!input.values.has(key)) throw notLoadedError(key, `the join input ${input.pathspec}`);
      return { value: input.values.get(key), writable: false, enumerable: true, configurable: true };
    },
  });
}

/** Builds the `inputs` array of a join from its loaded input tasks. */
export function createJoinInputs(inputs: JoinInput[], activity: ArtifactActivityHub): JoinInputs {
  const views = inputs.map((input) => createView(input, activity));
  const array: InputView[] = [...views];
  const arrayMembers = new Set(Object.getOwnPropertyNames(Array.prototype));
  inputs.forEach((input, i) => {
    if (arrayMembers.has(input.stepName)) return; // e.g. a step named "map": use inputs.find(...) instead
    Object.defineProperty(array, input.stepName, { value: views[i], enumerable: false, configurable: true });
  });
  return Object.freeze(array) as unknown as JoinInputs;
}
