/**
 * `@wandb_log`: W&B logging for flows, as in W&B's Metaflow integration. Put it on a step, on a flow
 * class (every `@step` without its own `@wandb_log`; helpers, getters and static members are left
 * alone), or both — the step's own always wins. Bare (`@wandb_log`) or with options
 * (`@wandb_log({ datasets: true, models: true, others: false, settings: { project: "p" } })`), in
 * both decorator conventions (legacy `experimentalDecorators`, as tslab compiles, and standard).
 *
 * Every task becomes one W&B run (group `{flowName}/{runId}`, job type the step name): parameters go
 * to config, basic values to summary, and — when asked — datasets, models and other values become
 * artifacts, with the inputs the step read marked used at the exact versions their producers logged.
 */
import { defineStepDecorator, type StepDecorator } from "../../flow/define/step-decorator.js";
import { completeClonedTaskRun, finishTaskRun, wandbLogMiddleware } from "./wandb-log-middleware.js";
import { validateWandbLogOptions, WANDB_LOG_DEFAULTS, type WandbLogOptions } from "./wandb-log-options.js";

/** Logs each task of the decorated step(s) as a W&B run. */
export const wandb_log: StepDecorator<WandbLogOptions> = defineStepDecorator<WandbLogOptions>({
  name: "wandb_log",
  defaults: WANDB_LOG_DEFAULTS,
  validate: validateWandbLogOptions,
  middleware: wandbLogMiddleware,
  onAttemptEnd: finishTaskRun,
  onTaskCloned: completeClonedTaskRun,
});
