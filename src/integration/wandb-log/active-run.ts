/**
 * `run`: the W&B run of the task that is running, like Python's `wandb.run`, but scoped to the task
 * with AsyncLocalStorage, so steps running at the same time each see their own run.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import type { Run } from "../../wandb/run/run.js";

/** Raised when `run` is used outside a step decorated with `@wandb_log`. */
export class NoActiveRunError extends Error {
  constructor(member: string) {
    super(
      `wandb run.${member} was used outside a running step decorated with @wandb_log, so there is no task run. ` +
        "Use it inside such a step, or call activeRun() to check first.",
    );
    this.name = "NoActiveRunError";
  }
}

const activeRuns = new AsyncLocalStorage<Run>();

/** Runs `work` with `run` as the task's active run. */
export function withActiveRun<T>(run: Run, work: () => T): T {
  return activeRuns.run(run, work);
}

/** The W&B run of the running task, or undefined outside a step decorated with `@wandb_log`. */
export function activeRun(): Run | undefined {
  return activeRuns.getStore();
}

/**
 * The W&B run of the running task (`run.config`, `run.summary`, `run.log`, `run.useArtifact`...).
 * Every member access goes to the current task's run; outside a task it throws `NoActiveRunError`.
 */
export const run: Run = new Proxy({} as Run, {
  get(_target, member) {
    const current = activeRuns.getStore();
    if (!current) {
      // Inspection (util.inspect, await, toString tags) must not throw: only real member use does.
      if (typeof member === "symbol" || member === "then") return undefined;
      throw new NoActiveRunError(member);
    }
    const value: unknown = Reflect.get(current, member, current);
    return typeof value === "function" ? (value as Function).bind(current) : value;
  },
  has(_target, member) {
    const current = activeRuns.getStore();
    return current !== undefined && member in current;
  },
});
