/**
 * `@timeout({ seconds, minutes, hours })`: fail the step when its body runs longer than the sum.
 * In-process the body cannot be killed: it is abandoned, and what it assigns later is not saved.
 * An executor that runs the attempt in a worker process ends that worker instead.
 */
import { StepTimeoutError } from "../errors.js";
import { defineStepDecorator } from "../define/step-decorator.js";

function describe(hours: number, minutes: number, seconds: number): string {
  return [hours && `${hours} h`, minutes && `${minutes} min`, seconds && `${seconds} s`].filter(Boolean).join(" ");
}

/** Fails the step (counted like any failure by @retry and @catch) when it runs too long. */
export const timeout = defineStepDecorator({
  name: "timeout",
  defaults: { seconds: 0, minutes: 0, hours: 0 },
  validate({ seconds, minutes, hours }) {
    if (![seconds, minutes, hours].every((v) => typeof v === "number" && v >= 0)) return "seconds, minutes and hours must be numbers >= 0.";
    if (seconds + minutes * 60 + hours * 3600 <= 0) return "give a duration, e.g. @timeout({ minutes: 5 }).";
    return undefined;
  },
  timeLimit(ctx) {
    const { seconds, minutes, hours } = ctx.decoratorOptions;
    return {
      milliseconds: (seconds + minutes * 60 + hours * 3600) * 1000,
      error: () =>
        new StepTimeoutError(
          `Step '${ctx.stepName}' (${ctx.pathspec}) timed out after ${describe(hours, minutes, seconds)}. ` +
            `Make the step faster or raise its @timeout.`,
        ),
    };
  },
});
