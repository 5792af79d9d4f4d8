/** `@step`: marks a flow method as a node of the flow's graph. */
import { decodeDecoratorTarget, isDecoratorApplication, type UniversalDecorator } from "./decorator-target.js";
import { FlowDefinitionError } from "../errors.js";
import { ensureStepMarks } from "./step-decorator.js";
import { callerModuleFile } from "./defining-module.js";

/** Options of `@step(...)`. */
export interface StepOptions {
  /** This step is the flow's start step (instead of the step named `start`). */
  start?: boolean;
  /** This step is the flow's end step (instead of the step named `end`). */
  end?: boolean;
}

function markStep(args: readonly unknown[], options: StepOptions): void {
  const target = decodeDecoratorTarget(args, "step");
  if (target.kind !== "method") {
    throw new FlowDefinitionError(`@step marks methods, but it was put on the class ${target.name}. Put @step on each step method.`);
  }
  const marks = ensureStepMarks(target.fn);
  if (marks.isStep) {
    throw new FlowDefinitionError(`Method '${target.name}' has @step twice. Keep one.`);
  }
  marks.isStep = true;
  marks.start = options.start === true;
  marks.end = options.end === true;
  marks.moduleFile = callerModuleFile();
}

/** Marks a method as a step: `@step`, `@step()`, `@step({ start: true })` or `@step({ end: true })`. */
export function step(options?: StepOptions): UniversalDecorator;
export function step(value: Function, context: ClassMethodDecoratorContext): void;
export function step(target: object, propertyKey: string | symbol, descriptor: PropertyDescriptor): void;
export function step(...args: unknown[]): UniversalDecorator | void {
  if (isDecoratorApplication(args)) return markStep(args, {});
  const options = (args[0] ?? {}) as StepOptions;
  const unknown = Object.keys(options).filter((key) => key !== "start" && key !== "end");
  if (unknown.length > 0) {
    throw new FlowDefinitionError(`@step has no option '${unknown[0]}'. Its options are start and end.`);
  }
  return ((...inner: unknown[]) => markStep(inner, options)) as UniversalDecorator;
}
