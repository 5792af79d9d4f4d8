/**
 * `this.mergeArtifacts(inputs, { include | exclude })`: copies into a join the artifacts whose stored
 * content is identical on every input that has them; differing ones are a conflict.
 */
import { MergeConflictError, MergeMissingError, NotInTaskError } from "../errors.js";
import { ENGINE_ARTIFACTS } from "../define/engine-artifacts.js";
import { joinInputOf, type JoinInput } from "./join-inputs.js";
import type { TaskState } from "./task-state.js";

/** Options of `mergeArtifacts`: at most one of them. */
export interface MergeOptions {
  /** Merge only these artifacts (each must exist on at least one input). */
  include?: string[];
  /** Merge everything except these artifacts. */
  exclude?: string[];
}

/** Merges the artifacts of a join's inputs into the task state. */
export function mergeArtifacts(state: TaskState, inputs: readonly unknown[], options: MergeOptions = {}): void {
  const step = state.stepName;
  if (!state.start.isJoin) {
    throw new NotInTaskError(`mergeArtifacts can only be called in a join step, and step '${step}' is not a join (it takes no inputs).`);
  }
  if (options.include && options.exclude) {
    throw new TypeError(`mergeArtifacts in step '${step}': give either include or exclude, not both.`);
  }
  const loaded = inputs.map((view, i) => {
    const input = joinInputOf(view);
    if (!input) throw new TypeError(`mergeArtifacts in step '${step}': inputs[${i}] is not a join input. Pass the step's inputs.`);
    return input;
  });
  const include = options.include ? new Set(options.include) : undefined;
  const exclude = new Set(options.exclude ?? []);
  const candidates = new Map<string, Array<{ input: JoinInput; sha: string }>>();
  for (const input of loaded) {
    for (const [name, record] of input.records) {
      if (state.written.has(name) || state.start.readOnly.has(name) || ENGINE_ARTIFACTS.has(name)) continue;
      if (include ? !include.has(name) : exclude.has(name)) continue;
      const list = candidates.get(name) ?? [];
      list.push({ input, sha: record.sha });
      candidates.set(name, list);
    }
  }
  if (include) {
    const missing = [...include].filter((name) => !candidates.has(name) && !state.has(name));
    if (missing.length > 0) {
      throw new MergeMissingError(
        `Step '${step}' asked mergeArtifacts to include [${missing.join(", ")}], but no input has ${missing.length > 1 ? "them" : "it"}. ` +
          `Include only artifacts that at least one branch sets.`,
        missing,
      );
    }
  }
  const conflicts = [...candidates].filter(([, list]) => new Set(list.map((c) => c.sha)).size > 1).map(([name]) => name);
  if (conflicts.length > 0) {
    throw new MergeConflictError(
      `Step '${step}' cannot merge [${conflicts.join(", ")}]: the inputs hold different values for ${conflicts.length > 1 ? "them" : "it"}. ` +
        `Set ${conflicts.map((n) => `this.${n}`).join(", ")} yourself (e.g. from inputs) before calling mergeArtifacts, or exclude ${conflicts.length > 1 ? "them" : "it"}.`,
      conflicts,
    );
  }
  for (const [name, [first]] of candidates) {
    const { input } = first!;
    state.merged.set(name, { record: input.records.get(name)!, value: input.values.get(name), loaded: input.values.has(name) });
    state.deleted.delete(name);
  }
}
