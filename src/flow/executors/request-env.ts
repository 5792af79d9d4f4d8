/**
 * The settings an attempt sees in a process that runs the attempts of many runs (a pooled worker, a
 * BullMQ worker's child): the process's own, overridden by the run's (`TaskRequest.env`), and nothing
 * left from an earlier run. Without the reset, a `WANDB_PROJECT` that a kernel had for one run and has
 * since unset would still send a later run's W&B runs to that project from a warm worker.
 */
import { forwardedEnv, isForwardedSetting } from "./task-request.js";

let ownAtFirstRequest: Record<string, string> | undefined;

/**
 * Sets this process's forwarded settings (WANDB_*, WBFLOW_*; never keys, tokens or passwords) to `own`
 * overridden by `requested`, deleting the others; other variables are left alone. `own` defaults to the
 * settings this process had when it first ran a request (a BullMQ worker's own machine settings).
 */
export function applyRequestEnv(requested: Record<string, string>, own?: Record<string, string>): void {
  ownAtFirstRequest ??= forwardedEnv();
  const wanted: Record<string, string> = { ...(own ?? ownAtFirstRequest), ...requested };
  for (const [name, value] of Object.entries(process.env)) if (isForwardedSetting(name, value) && !(name in wanted)) delete process.env[name];
  Object.assign(process.env, wanted);
}
