/**
 * The W&B run options of one task, built fresh for every task from the decorator's settings (copied,
 * never mutated, so parallel and later tasks cannot see each other's values). Defaults:
 * `project` = the setting, else `WANDB_PROJECT`, else the flow's name (never "uncategorized");
 * `run_group` = `{flowName}/{runId}`; `run_job_type` = the step name; the run's name is
 * `{step}/{taskId}`, with the foreach split indices as `{step}[i]/{taskId}` (and the innermost index
 * in config as `foreach_index`); the notes name the task's pathspec.
 */
import type { TaskContext } from "../../flow/task/middleware.js";
import type { InitOptions } from "../../wandb/run/init.js";
import type { SettingsInput } from "../../wandb/settings/settings.js";
import { defaultGroupOf, defaultProjectOf } from "./flow-run-defaults.js";
import type { WandbLogOptions } from "./wandb-log-options.js";

/** The run name of a task: `{step}/{taskId}`, `{step}[i,j]/{taskId}` in foreach splits, plus the retry. */
export function taskRunName(ctx: Pick<TaskContext, "stepName" | "taskId" | "foreachStack" | "retryCount">): string {
  const splits = ctx.foreachStack.length > 0 ? `[${ctx.foreachStack.map((frame) => frame.index).join(",")}]` : "";
  const retry = ctx.retryCount > 0 ? ` (retry ${ctx.retryCount})` : "";
  return `${ctx.stepName}${splits}/${ctx.taskId}${retry}`;
}

/** The `init()` options of the W&B run of one task; `config` holds the parameters already converted. */
export function taskInitOptions(
  ctx: TaskContext<WandbLogOptions>,
  config: Record<string, unknown>,
  env: NodeJS.ProcessEnv,
): InitOptions {
  const { tags, run_tags, ...given } = ctx.decoratorOptions.settings ?? {};
  const settings: SettingsInput = {
    ...given,
    project: given.project ?? defaultProjectOf(ctx.flowName, env),
    run_group: given.run_group ?? defaultGroupOf(ctx.flowName, ctx.runId),
    run_job_type: given.run_job_type ?? ctx.stepName,
    run_name: given.run_name ?? taskRunName(ctx),
    run_notes: given.run_notes ?? `wbflow task ${ctx.pathspec}`,
  };
  // Only when given: otherwise W&B's WANDB_TAGS applies.
  if (tags || run_tags) settings.run_tags = [...(run_tags ?? []), ...(tags ?? [])];
  const foreach = ctx.foreachIndex === undefined ? {} : { foreach_index: ctx.foreachIndex };
  return { settings, config: { ...config, ...foreach } };
}
