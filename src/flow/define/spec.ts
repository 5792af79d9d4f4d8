/**
 * `FlowSpec`: the base class of every flow. Subclass it, mark steps with `@step`, declare parameters
 * with `Parameter(...)`, and run with `await MyFlow.run(params)`.
 */
import { foreachElements, type ForeachStackEntry } from "../task/foreach.js";
import type { GraphInfo } from "../graph/graph-info.js";
import type { JoinInputs } from "../task/join-inputs.js";
import { mergeArtifacts, type MergeOptions } from "../task/merge-artifacts.js";
import type { FlowRun } from "../runtime/run-handle.js";
import type { ResumeOptions, RunOptions } from "../runtime/run-options.js";
import { checkFlowClass, resumeFlow, runFlow } from "../runtime/run-flow.js";
import { taskStateOf, type TaskState } from "../task/task-state.js";
import { recordNext } from "../task/transition.js";

/** A step method, as passed to `this.next(...)`. */
export type StepMethod = (...args: never[]) => unknown;

const inputCache = new WeakMap<TaskState, { elements: unknown[] }[]>();

/** The elements of each foreach level of a task, derived from the artifacts it can see. */
function frameElements(state: TaskState, level: number): unknown[] | undefined {
  let cache = inputCache.get(state);
  if (!cache) {
    cache = [];
    inputCache.set(state, cache);
  }
  const cached = cache[level];
  if (cached) return cached.elements;
  const frame = state.start.foreachStack[level];
  if (!frame) return undefined;
  // Every split looks its element up in the whole list; the list needs re-persisting (a costly
  // re-encode per split) only if an element handed out is an object the step could change.
  const found = state.lookup(frame.var, false);
  if (!found.found) return undefined;
  const elements = foreachElements(found.value, frame.var, state.stepName);
  if (elements.some((element) => typeof element === "object" && element !== null)) state.read.add(frame.var);
  cache[level] = { elements };
  return elements;
}

/**
 * The element of foreach level `level`: the one read on its own for this split, unless the step
 * decoded or replaced the iterated list, in which case it is taken from that list (as before).
 */
function frameElement(state: TaskState, level: number): unknown {
  const frame = state.start.foreachStack[level];
  if (!frame) return undefined;
  const own = state.start.foreachInputs?.[level];
  const listTouched = state.written.has(frame.var) || state.deleted.has(frame.var) || state.merged.has(frame.var);
  if (own && !listTouched) return own.value;
  return frameElements(state, level)?.[frame.index];
}

const FLOW_CLASS_BRAND = Symbol.for("wbflow.FlowSpec");

/**
 * Whether `value` is a flow class (a subclass of FlowSpec), also when it was built against another
 * copy of this package (e.g. the compiled one while the CLI runs from source).
 */
export function isFlowClass(value: unknown): value is typeof FlowSpec {
  return typeof value === "function" && (value as unknown as Record<symbol, unknown>)[FLOW_CLASS_BRAND] === true && value.name !== "FlowSpec";
}

/** The base class of flows. */
export class FlowSpec {
  /** Marks flow classes across copies of this package; see {@link isFlowClass}. */
  static readonly [FLOW_CLASS_BRAND] = true;

  /**
   * Ends a step by naming what runs next: `this.next(this.b)` (linear), `this.next(this.a, this.b)`
   * (parallel branches), `this.next(this.body, { foreach: "items" })` (one task per element), or
   * `this.next({ hi: this.a, lo: this.b }, { condition: "mode" })` (switch on an artifact's value,
   * matched by its string form). Must be the last statement of the step.
   */
  next(...targets: [StepMethod, ...StepMethod[]]): void;
  next(target: StepMethod, options: { foreach: string }): void;
  next(cases: Record<string, StepMethod>, options: { condition: string }): void;
  next(...args: unknown[]): void {
    recordNext(taskStateOf(this, "this.next(...)"), args);
  }

  /** In a foreach task: the element this task handles (undefined outside a foreach). */
  get input(): unknown {
    const state = taskStateOf(this, "this.input");
    return frameElement(state, state.start.foreachStack.length - 1);
  }

  /** In a foreach task: the index of this task's element (undefined outside a foreach). */
  get index(): number | undefined {
    return taskStateOf(this, "this.index").start.foreachStack.at(-1)?.index;
  }

  /** One entry per enclosing foreach, outermost first: index, number of splits and the element. */
  foreachStack(): ForeachStackEntry[] {
    const state = taskStateOf(this, "this.foreachStack()");
    return state.start.foreachStack.map((frame, level) => ({
      index: frame.index,
      numSplits: frame.numSplits,
      value: frameElement(state, level),
    }));
  }

  /**
   * In a join: copies the inputs' artifacts whose stored content is the same on every input that has
   * them. Artifacts already assigned in this step are left alone; differing values throw a
   * MergeConflictError naming them; `include` names that no input has throw a MergeMissingError.
   */
  mergeArtifacts(inputs: JoinInputs, options?: MergeOptions): void {
    mergeArtifacts(taskStateOf(this, "this.mergeArtifacts(...)"), inputs, options);
  }

  /**
   * Runs the flow in this process and resolves when it has finished. Parameters are given by name.
   * A failed run rejects with a FlowRunError (set `throwOnFailure: false` to get the handle instead).
   */
  static run(this: Function, params?: Record<string, unknown>, options?: RunOptions): Promise<FlowRun> {
    return runFlow(this, params, options);
  }

  /**
   * Continues an earlier run (by default the latest): tasks that finished OK are reused, the failed
   * (or `step`) step and everything after it run again with the current code.
   */
  static resume(this: Function, options?: ResumeOptions): Promise<FlowRun> {
    return resumeFlow(this, options);
  }

  /** Checks the flow (definition and graph lint) and returns its graph; throws the first problem found. */
  static check(this: Function): GraphInfo {
    return checkFlowClass(this).graphInfo;
  }
}
