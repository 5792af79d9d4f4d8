/**
 * Reads a flow class: its steps (methods marked by `@step`), their decorators, the parameters and the
 * flow-level constants (fields initialized in the class body).
 */
import { FlowDefinitionError } from "../errors.js";
import { describeParameter, isParameterDeclaration, type FlowParameter } from "./parameter.js";
import { effectiveDecorators, stepMarksOf, type AppliedDecorator } from "./step-decorator.js";
import { readSourceReferences, type SourceReferences } from "../graph/source-references.js";
import { readStepSource, type StepSource } from "../graph/step-source.js";

/** One step of a flow class. */
export interface StepDefinition {
  name: string;
  fn: Function;
  /** Annotated `@step({ start: true })` / `@step({ end: true })`. */
  annotatedStart: boolean;
  annotatedEnd: boolean;
  /** Step-level decorators first, then flow-level ones the step does not have. */
  decorators: AppliedDecorator[];
  source: StepSource;
  /** The artifact names the step can read (its source and the helper methods it mentions), or "all". */
  loadPlan: LoadPlan;
}

/** Which stored artifacts a task decodes before its step runs. */
export type LoadPlan = ReadonlySet<string> | "all";

/** Everything the engine needs to know about a flow class. */
export interface FlowDefinition {
  flowClass: Function;
  /** The class name. */
  name: string;
  /** Steps in declaration order (base classes first). */
  steps: Map<string, StepDefinition>;
  /** Step name of each step function, to recognise `this.next(this.a)` targets. */
  stepNameOf: Map<Function, string>;
  parameters: FlowParameter[];
  /** Flow-level constants: class fields initialized with a non-function value, read-only in steps. */
  constants: Map<string, unknown>;
  /** The module file that defines the class's own steps, when it was loaded from a file (not a notebook cell). */
  moduleFile: string | undefined;
}

// A function's source never changes, so parses are kept per function object (a redefined class or
// a replaced method is a new function and is parsed again).
const stepSources = new WeakMap<Function, StepSource>();
const sourceReferences = new WeakMap<Function, SourceReferences | undefined>();

function stepSourceOf(fn: Function, name: string): StepSource {
  let source = stepSources.get(fn);
  if (!source) {
    source = readStepSource(fn.toString(), name);
    stepSources.set(fn, source);
  }
  return source;
}

function referencesOf(fn: Function): SourceReferences | undefined {
  if (!sourceReferences.has(fn)) sourceReferences.set(fn, readSourceReferences(fn.toString()));
  return sourceReferences.get(fn);
}

function ownStepMethods(prototype: object): Array<[string, Function]> {
  const found: Array<[string, Function]> = [];
  for (const key of Object.getOwnPropertyNames(prototype)) {
    if (key === "constructor") continue;
    const value = Object.getOwnPropertyDescriptor(prototype, key)?.value as unknown;
    if (typeof value === "function" && stepMarksOf(value)) found.push([key, value]);
  }
  return found;
}

/** Reads a flow class; throws FlowDefinitionError when the class is not a valid flow. */
export function readFlowDefinition(flowClass: Function): FlowDefinition {
  const name = flowClass.name;
  if (!name) throw new FlowDefinitionError("A flow class needs a name (its name is the flow's name).");
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
    throw new FlowDefinitionError(`Flow class name '${name}' may contain only letters, digits and '_'. Rename the class.`);
  }
  const chain: object[] = [];
  for (let proto = flowClass.prototype as object | null; proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
    chain.push(proto);
  }
  const steps = new Map<string, StepDefinition>();
  const seen = new Set<string>();
  for (const proto of chain.reverse()) {
    for (const [key, fn] of ownStepMethods(proto)) {
      seen.add(key);
      const marks = stepMarksOf(fn)!;
      if (!marks.isStep) {
        const names = marks.decorators.map((d) => `@${d.name}`).join(", ");
        throw new FlowDefinitionError(
          `Method '${key}' of flow ${name} has ${names} but is not a step. Add @step to it (or remove ${names}).`,
        );
      }
      steps.delete(key); // an override moves to the subclass's position
      steps.set(key, {
        name: key,
        fn,
        annotatedStart: marks.start,
        annotatedEnd: marks.end,
        decorators: effectiveDecorators(marks.decorators, flowClass),
        source: stepSourceOf(fn, key),
        loadPlan: "all",
      });
    }
  }
  // An override without @step hides the base class's step.
  for (const key of seen) {
    const value = (flowClass.prototype as Record<string, unknown>)[key];
    if (typeof value === "function" && !stepMarksOf(value)?.isStep) steps.delete(key);
  }
  const stepNameOf = new Map<Function, string>();
  for (const step of steps.values()) stepNameOf.set(step.fn, step.name);
  for (const step of steps.values()) step.loadPlan = loadPlanOf(step.fn, flowClass.prototype as object, steps);
  const { parameters, constants } = readFields(flowClass, name, steps);
  const ownSteps = ownStepMethods(flowClass.prototype as object);
  const moduleFile = ownSteps.length > 0 ? stepMarksOf(ownSteps[0]![1])?.moduleFile : undefined;
  return { flowClass, name, steps, stepNameOf, parameters, constants, moduleFile };
}

function readFields(
  flowClass: Function,
  flowName: string,
  steps: Map<string, StepDefinition>,
): { parameters: FlowParameter[]; constants: Map<string, unknown> } {
  let instance: Record<string, unknown>;
  try {
    instance = new (flowClass as new () => Record<string, unknown>)();
  } catch (error) {
    throw new FlowDefinitionError(
      `Creating an instance of flow ${flowName} to read its parameters failed: ${(error as Error).message}. ` +
        `Flow classes are created without arguments; keep constructors free of work that can fail.`,
      { cause: error },
    );
  }
  const parameters: FlowParameter[] = [];
  const constants = new Map<string, unknown>();
  const byLowerName = new Map<string, string>();
  for (const attribute of Object.keys(instance)) {
    const value = instance[attribute];
    if (steps.has(attribute)) {
      throw new FlowDefinitionError(`Flow ${flowName} has a field and a step both named '${attribute}'. Rename one of them.`);
    }
    if (isParameterDeclaration(value)) {
      const parameter = describeParameter(attribute, value, flowName);
      const clash = byLowerName.get(parameter.name.toLowerCase());
      if (clash !== undefined) {
        throw new FlowDefinitionError(
          `Flow ${flowName} declares parameter '${parameter.name}' twice (also as '${clash}'); ` +
            `parameter names are case-insensitive. Rename one of them.`,
        );
      }
      byLowerName.set(parameter.name.toLowerCase(), parameter.name);
      parameters.push(parameter);
    } else if (value !== undefined && typeof value !== "function") {
      constants.set(attribute, value);
    }
  }
  return { parameters, constants };
}

/** Functions behind a name on the flow's prototype chain (methods and accessors), above FlowSpec itself. */
function helperFunctions(prototype: object, name: string): Function[] {
  for (let proto: object | null = prototype; proto; proto = Object.getPrototypeOf(proto) as object | null) {
    if (Object.prototype.hasOwnProperty.call(proto, "mergeArtifacts")) return []; // FlowSpec.prototype: the engine's own API
    const descriptor = Object.getOwnPropertyDescriptor(proto, name);
    if (descriptor) return [descriptor.value, descriptor.get, descriptor.set].filter((f): f is Function => typeof f === "function");
  }
  return [];
}

/** The names a step may read: those its source and the helper methods it mentions contain. */
function loadPlanOf(fn: Function, prototype: object, steps: Map<string, StepDefinition>): LoadPlan {
  const names = new Set<string>();
  const seen = new Set<Function>();
  const pending: Function[] = [fn];
  while (pending.length > 0) {
    const current = pending.pop()!;
    if (seen.has(current)) continue;
    seen.add(current);
    const references = referencesOf(current);
    if (!references || references.dynamic) return "all";
    for (const name of references.names) {
      names.add(name);
      if (!steps.has(name) && name !== "constructor") pending.push(...helperFunctions(prototype, name));
    }
  }
  return names;
}
