/**
 * `@catch({ var, printException })`: when a step still fails after its retries, the run continues:
 * the error is stored in `this[var]` (null when the step succeeds) and the task counts as finished.
 */
import { defineStepDecorator } from "../define/step-decorator.js";
import { storedErrorOf } from "../task/stored-error.js";

const NO_TRANSITION: Record<string, string> = { "split-switch": "switch", "split-foreach": "foreach split" };

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
  checkStep({ name, type }) {
    const kind = NO_TRANSITION[type];
    return kind === undefined
      ? undefined
      : `@catch cannot be used on a ${kind} step: a caught failure has no transition to follow. ` +
          `Move the risky work into a step before or after '${name}'.`;
  },
  onTaskFailure(ctx, error) {
    const { var: variable, printException } = ctx.decoratorOptions;
    if (variable !== undefined) ctx.setArtifact(variable, storedErrorOf(error));
    // Written inside the task, so it is shown live and kept in the task's stderr log.
    if (printException) process.stderr.write(`@catch handled an exception in ${ctx.pathspec}: ${error.stack ?? error.message}\n`);
    return { handled: true };
  },
  onTaskSuccess(ctx) {
    if (ctx.decoratorOptions.var !== undefined) ctx.setArtifact(ctx.decoratorOptions.var, null);
  },
});
