/**
 * `@catch({ var })`: when a step still fails after its retries, the run continues: the error is
 * stored in `this[var]` (null when the step succeeds) and the task counts as finished.
 */
import { defineStepDecorator } from "../define/step-decorator.js";

/** Turns a final failure of the step into a stored error; the run continues. */
export const catchFailure = defineStepDecorator({
  name: "catch",
  defaults: { var: undefined as string | undefined, printException: true },
  validate(options) {
    if (options.var !== undefined && (typeof options.var !== "string" || !/^[A-Za-z_$][\w$]*$/.test(options.var))) {
      return `var must be an artifact name; got ${String(options.var)}.`;
    }
    return undefined;
  },
});
