/** `@retry({ times })`: run a failed task again, immediately or after `minutesBetweenRetries`. */
import { defineStepDecorator } from "../define/step-decorator.js";

/** Retries a failed task up to `times` more times (default 3, at most 5). */
export const retry = defineStepDecorator({
  name: "retry",
  defaults: { times: 3, minutesBetweenRetries: 0 },
  validate({ times, minutesBetweenRetries }) {
    if (!Number.isInteger(times) || times < 0 || times > 5) return `times must be a whole number from 0 to 5; got ${String(times)}.`;
    if (typeof minutesBetweenRetries !== "number" || !(minutesBetweenRetries >= 0)) {
      return `minutesBetweenRetries must be a number >= 0; got ${String(minutesBetweenRetries)}.`;
    }
    return undefined;
  },
  onAttemptFailure(ctx) {
    const { times, minutesBetweenRetries } = ctx.decoratorOptions;
    return ctx.retryCount < times ? { retry: true, delayMs: minutesBetweenRetries * 60_000 } : undefined;
  },
});
