/**
 * `this.next(...)` at run time: validates the call, evaluates foreach and switch values, and checks
 * that the transition agrees with the graph read from the source.
 */
import { ForeachError, InvalidNextError } from "../errors.js";
import { foreachElements } from "./foreach.js";
import type { ChosenTransition, TaskState } from "./task-state.js";
import { isPlainObject } from "../../core/plain-object.js";

const OPTION_KEYS = new Set(["foreach", "condition"]);

/** What the helpers below share: the task, a thrower of InvalidNextError, and step-name resolution. */
interface NextCall {
  state: TaskState;
  step: string;
  where: string;
  invalid: (text: string) => never;
  stepNameOf: (value: unknown, position: string) => string;
}

/** Records the transition of `this.next(...args)` on the task state. */
export function recordNext(state: TaskState, args: unknown[]): void {
  const call = nextCall(state);
  if (state.transition) call.invalid("this.next(...) was called more than once. Call it exactly once, as the last statement.");
  const { positional, options } = splitOptions(call, args);
  const foreachVar = options?.foreach;
  const condition = options?.condition;
  if (foreachVar !== undefined && condition !== undefined) call.invalid("foreach and condition cannot be used together.");

  let chosen: ChosenTransition;
  if (condition !== undefined || isPlainObject(positional[0])) chosen = switchTransition(call, positional, condition);
  else if (foreachVar !== undefined) chosen = foreachTransition(call, positional, foreachVar);
  else {
    if (positional.length === 0) call.invalid("no target step was given. Name at least one step: this.next(this.nextStep).");
    chosen = { targets: positional.map((p, i) => call.stepNameOf(p, `argument ${i + 1}`)), foreachVar: null };
  }
  checkAgainstGraph(state, chosen);
  state.transition = chosen;
}

function nextCall(state: TaskState): NextCall {
  const step = state.stepName;
  const where = `step '${step}'`;
  const invalid: (text: string) => never = (text) => {
    throw new InvalidNextError(`Invalid this.next(...) in ${where}: ${text}`);
  };
  const { definition } = state.start;
  const stepNameOf = (value: unknown, position: string): string => {
    if (typeof value !== "function") {
      return invalid(`${position} is not a step method. Pass steps as this.stepName (without calling them).`);
    }
    const name = definition.stepNameOf.get(value);
    if (name === undefined) {
      return invalid(`${position} is the method '${value.name}', which is not a @step of flow ${definition.name}. Add @step to it.`);
    }
    return name;
  };
  return { state, step, where, invalid, stepNameOf };
}

/** Separates a trailing `{ foreach }` / `{ condition }` options object from the step arguments. */
function splitOptions(call: NextCall, args: unknown[]): { positional: unknown[]; options: Record<string, unknown> | undefined } {
  const positional = [...args];
  const lastArg = positional.at(-1);
  if (positional.length > 1 && isPlainObject(lastArg) && Object.keys(lastArg).every((k) => OPTION_KEYS.has(k))) {
    return { positional, options: positional.pop() as Record<string, unknown> };
  }
  if (positional.length === 2 && isPlainObject(lastArg)) {
    const unknown = Object.keys(lastArg).find((k) => !OPTION_KEYS.has(k));
    call.invalid(`unknown option '${unknown}'. The options are foreach and condition.`);
  }
  return { positional, options: undefined };
}

/** `this.next({ a: this.x, b: this.y }, { condition: "name" })`: the case the condition's value picks. */
function switchTransition(call: NextCall, positional: unknown[], condition: unknown): ChosenTransition {
  const { invalid, step, where } = call;
  const cases = positional[0];
  if (positional.length !== 1 || !isPlainObject(cases) || Object.keys(cases).length === 0) {
    invalid("a switch takes one non-empty object mapping condition values to steps, and { condition: \"name\" }.");
  }
  if (condition === undefined) invalid("an object of cases needs a condition: this.next({ ... }, { condition: \"name\" }).");
  if (typeof condition !== "string") return invalid("condition must be the name of an artifact, as a string.");
  const lookup = call.state.lookup(condition);
  if (!lookup.found) invalid(`the condition artifact this.${condition} is not set. Assign it in '${step}' before this.next(...).`);
  const value = lookup.value;
  if (typeof value !== "string" && typeof value !== "boolean" && !(typeof value === "number" && Number.isFinite(value))) {
    invalid(
      `this.${condition} is ${value === null ? "null" : typeof value}; a switch condition must be a string, a finite number ` +
        `or a boolean, matched against the case keys by its string form.`,
    );
  }
  const key = String(value);
  const caseMap = cases as Record<string, unknown>;
  if (!Object.prototype.hasOwnProperty.call(caseMap, key)) {
    throw new InvalidNextError(
      `In ${where}: this.${condition} is ${JSON.stringify(value)}, which matches none of the cases ` +
        `[${Object.keys(caseMap).map((k) => JSON.stringify(k)).join(", ")}]. Add a case for it or fix the value.`,
    );
  }
  for (const [k, target] of Object.entries(caseMap)) call.stepNameOf(target, `switch case '${k}'`);
  return { targets: [call.stepNameOf(caseMap[key], `switch case '${key}'`)], foreachVar: null, switchValue: key };
}

/** `this.next(this.x, { foreach: "items" })`: one split per element of the named artifact. */
function foreachTransition(call: NextCall, positional: unknown[], foreachVar: unknown): ChosenTransition {
  const { invalid, step, state } = call;
  if (typeof foreachVar !== "string") return invalid("foreach must be the name of an artifact, as a string.");
  if (positional.length !== 1) invalid("a foreach has exactly one target step.");
  const target = call.stepNameOf(positional[0], "the foreach target");
  const lookup = state.lookup(foreachVar);
  if (!lookup.found) {
    throw new ForeachError(`Step '${step}' fans out over this.${foreachVar}, which is not set. Assign it before this.next(...).`);
  }
  const elements = foreachElements(lookup.value, foreachVar, step);
  if (elements.length === 0) {
    throw new ForeachError(
      `Step '${step}' fans out over this.${foreachVar}, which is empty, so the foreach has zero splits. ` +
        `Give it at least one element (or branch around the foreach with a switch).`,
    );
  }
  if (elements.length > state.start.maxNumSplits) {
    throw new ForeachError(
      `Step '${step}' fans out over this.${foreachVar} into ${elements.length} splits, more than the limit of ` +
        `${state.start.maxNumSplits}. Raise it with the maxNumSplits run option (--max-num-splits) if this is intended.`,
    );
  }
  return { targets: [target], foreachVar, elements };
}

function checkAgainstGraph(state: TaskState, chosen: ChosenTransition): void {
  const node = state.start.graph.nodes.get(state.stepName)!;
  const expected = node.outFuncs;
  const agrees =
    node.type === "split-switch"
      ? chosen.switchValue !== undefined && expected.includes(chosen.targets[0]!)
      : chosen.switchValue === undefined &&
        (node.type === "split-foreach") === (chosen.foreachVar !== null) &&
        (chosen.foreachVar === null || chosen.foreachVar === node.foreachVar) &&
        expected.length === chosen.targets.length &&
        expected.every((t, i) => chosen.targets[i] === t);
  if (!agrees) {
    const described = chosen.foreachVar ? `${chosen.targets.join(", ")} (foreach ${chosen.foreachVar})` : chosen.targets.join(", ");
    const planned = node.foreachVar ? `${expected.join(", ")} (foreach ${node.foreachVar})` : expected.join(", ") || "nothing";
    throw new InvalidNextError(
      `Step '${state.stepName}' called this.next(...) with ${described}, but its last statement says ${planned}. ` +
        `The engine reads the graph from the source before running: keep exactly one this.next(...), unconditionally, ` +
        `as the step's last statement.`,
    );
  }
}
