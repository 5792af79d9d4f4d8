/**
 * Where `@wandb_log` puts a flow run's W&B runs when the settings do not say: the one rule both the
 * writer (task-run-options.ts) and the readers (integration/report/) follow.
 */

/** The project: `WANDB_PROJECT`, else the flow's name (never W&B's "uncategorized"). */
export function defaultProjectOf(flowName: string, env: NodeJS.ProcessEnv): string {
  return env["WANDB_PROJECT"] || flowName;
}

/** The run group of one flow run: `{flowName}/{runId}`. */
export function defaultGroupOf(flowName: string, runId: string): string {
  return `${flowName}/${runId}`;
}
