/**
 * `@environment({ vars })`: environment variables set while the step body runs, restored after.
 * Steps share one process, so concurrent tasks with different values for the same variable see
 * whichever was set last: give such steps distinct variables or run them with maxWorkers 1.
 */
import { defineStepDecorator } from "../define/step-decorator.js";

/** Sets `process.env` variables for the duration of the step. */
export const environment = defineStepDecorator({
  name: "environment",
  defaults: { vars: {} as Record<string, string> },
  validate({ vars }) {
    if (typeof vars !== "object" || vars === null || Object.values(vars).some((v) => typeof v !== "string")) {
      return "vars must map variable names to string values.";
    }
    return undefined;
  },
  async middleware(ctx, next) {
    const saved = new Map<string, string | undefined>();
    for (const [name, value] of Object.entries(ctx.decoratorOptions.vars)) {
      saved.set(name, process.env[name]);
      process.env[name] = value;
    }
    try {
      await next();
    } finally {
      for (const [name, value] of saved) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  },
});
