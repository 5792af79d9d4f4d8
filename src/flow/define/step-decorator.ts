/**
 * The one generic mechanism behind every step decorator (`@retry`, `@catch`, `@timeout`,
 * `@environment`, and `@wandb_log` from the integration layer). A decorator made here can be put on a
 * step method or on a flow class, bare or with options, in both decorator conventions; a decorator on a
 * step always wins over the same decorator on the flow, whatever order they were applied in.
 */
import { decodeDecoratorTarget, isDecoratorApplication, type UniversalDecorator } from "./decorator-target.js";
import { FlowDefinitionError } from "../errors.js";
import type { StepLifecycleHooks } from "../task/lifecycle.js";
import type { StepType } from "../graph/graph.js";

/** Options of a decorator: a flat object of JSON-like values. */
export type DecoratorOptions = Record<string, unknown>;

/**
 * How to build a step decorator with {@link defineStepDecorator}: its name, options and the lifecycle
 * hooks it runs (see {@link StepLifecycleHooks}: attempt start, around the body, time limit, attempt
 * failure with the retry decision, final task failure, task success).
 */
export interface StepDecoratorDefinition<O extends DecoratorOptions> extends StepLifecycleHooks<O> {
  /** The decorator's name as written after `@`, e.g. "retry". Unique per step. */
  name: string;
  /** Every supported option with its default; an option not listed here is a definition error. */
  defaults: O;
  /** Returns a description of what is wrong with `options` (then the decorator throws), or undefined. */
  validate?(options: O): string | undefined;
  /**
   * Checked before every run (graph lint): returns why the decorator cannot be put on this step and
   * what to do, or undefined. The lint error reads "Step 'x' has @name, but " followed by the answer.
   */
  checkStep?(step: { name: string; type: StepType }): string | undefined;
}

/** A decorator made by {@link defineStepDecorator}: `@deco`, `@deco()` or `@deco({...})`. */
export interface StepDecorator<O extends DecoratorOptions> extends UniversalDecorator {
  (options?: Partial<O>): UniversalDecorator;
  /** The definition this decorator applies. */
  readonly definition: StepDecoratorDefinition<O>;
}

/** One decorator as applied to a step or a flow, with its options resolved against the defaults. */
export interface AppliedDecorator {
  name: string;
  options: DecoratorOptions;
  definition: StepDecoratorDefinition<DecoratorOptions>;
}

/** Marks kept on a method function by `@step` and step decorators. */
export interface StepMarks {
  isStep: boolean;
  start: boolean;
  end: boolean;
  /** Decorators applied to the method, in application order. */
  decorators: AppliedDecorator[];
  /** The module file whose code applied `@step`, when it was loaded from a file. */
  moduleFile?: string | undefined;
}

const STEP_MARKS = Symbol.for("wbflow.stepMarks");
const FLOW_DECORATORS = Symbol.for("wbflow.flowDecorators");

/** The marks on a method, or undefined if neither `@step` nor a step decorator touched it. */
export function stepMarksOf(fn: Function): StepMarks | undefined {
  return (fn as unknown as { [STEP_MARKS]?: StepMarks })[STEP_MARKS];
}

/** The marks on a method, created empty on first use. */
export function ensureStepMarks(fn: Function): StepMarks {
  const existing = stepMarksOf(fn);
  if (existing) return existing;
  const marks: StepMarks = { isStep: false, start: false, end: false, decorators: [] };
  Object.defineProperty(fn, STEP_MARKS, { value: marks, enumerable: false });
  return marks;
}

/** Decorators applied directly to this class (not inherited), in application order. */
export function ownFlowDecoratorsOf(ctor: Function): AppliedDecorator[] {
  return Object.prototype.hasOwnProperty.call(ctor, FLOW_DECORATORS)
    ? (ctor as unknown as { [FLOW_DECORATORS]: AppliedDecorator[] })[FLOW_DECORATORS]
    : [];
}

function ensureOwnFlowDecorators(ctor: Function): AppliedDecorator[] {
  if (!Object.prototype.hasOwnProperty.call(ctor, FLOW_DECORATORS)) {
    Object.defineProperty(ctor, FLOW_DECORATORS, { value: [], enumerable: false });
  }
  return ownFlowDecoratorsOf(ctor);
}

function resolveOptions<O extends DecoratorOptions>(
  definition: StepDecoratorDefinition<O>,
  given: Partial<O> | undefined,
  where: string,
): O {
  const supported = Object.keys(definition.defaults);
  for (const key of Object.keys(given ?? {})) {
    if (!supported.includes(key)) {
      throw new FlowDefinitionError(
        `@${definition.name} on ${where} has an unknown option '${key}'. ` +
          (supported.length ? `Supported options: ${supported.join(", ")}.` : `It takes no options.`),
      );
    }
  }
  const options = { ...definition.defaults, ...given } as O;
  const problem = definition.validate?.(options);
  if (problem) throw new FlowDefinitionError(`@${definition.name} on ${where}: ${problem}`);
  return options;
}

/**
 * Makes a step decorator from a definition. The result can decorate a step method (that decorator
 * applies to that step) or a flow class (it applies to every step that does not have it itself).
 */
export function defineStepDecorator<O extends DecoratorOptions>(
  definition: StepDecoratorDefinition<O>,
): StepDecorator<O> {
  const apply = (args: unknown[], given: Partial<O> | undefined): void => {
    const target = decodeDecoratorTarget(args, definition.name);
    const where = target.kind === "method" ? `step '${target.name}'` : `flow ${target.name}`;
    const applied: AppliedDecorator = {
      name: definition.name,
      options: resolveOptions(definition, given, where),
      definition: definition as unknown as StepDecoratorDefinition<DecoratorOptions>,
    };
    const list =
      target.kind === "method" ? ensureStepMarks(target.fn).decorators : ensureOwnFlowDecorators(target.ctor);
    if (list.some((d) => d.name === definition.name)) {
      throw new FlowDefinitionError(
        `${where[0]!.toUpperCase()}${where.slice(1)} has @${definition.name} twice. Keep one and put all its options in it.`,
      );
    }
    list.push(applied);
  };
  const decorator = (...args: unknown[]): UniversalDecorator | undefined => {
    if (isDecoratorApplication(args)) {
      apply(args, undefined);
      return undefined;
    }
    if (args.length > 1 || (args[0] !== undefined && (typeof args[0] !== "object" || args[0] === null))) {
      throw new TypeError(`@${definition.name}(options) takes one options object, e.g. @${definition.name}({ ... }).`);
    }
    const given = args[0] as Partial<O> | undefined;
    return ((...inner: unknown[]) => {
      apply(inner, given);
    }) as UniversalDecorator;
  };
  Object.defineProperty(decorator, "definition", { value: definition });
  return decorator as unknown as StepDecorator<O>;
}

/**
 * The decorators that apply to one step: its own, plus each flow-level decorator (searched from the
 * class up its flow superclasses) that the step does not have itself.
 */
export function effectiveDecorators(stepDecorators: readonly AppliedDecorator[], flowClass: Function): AppliedDecorator[] {
  const result = [...stepDecorators];
  for (let ctor: Function | null = flowClass; ctor && ctor !== Function.prototype; ctor = Object.getPrototypeOf(ctor)) {
    for (const flowLevel of ownFlowDecoratorsOf(ctor)) {
      if (!result.some((d) => d.name === flowLevel.name)) result.push(flowLevel);
    }
  }
  return result;
}
