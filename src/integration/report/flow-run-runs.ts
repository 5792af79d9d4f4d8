/**
 * "Where is my data": the W&B runs of one flow run, found by their group `{flowName}/{runId}`.
 */
import { Api, type ApiOptions, type ApiRun } from "../../wandb/api.js";

/** Which flow run, and where to look. */
export interface FlowRunRunsQuery {
  flowName: string;
  runId: string;
  /** The W&B project (default: `WANDB_PROJECT`, else the flow's name — what `@wandb_log` uses). */
  project?: string;
  /** The group, if the flow set `run_group` itself (default `{flowName}/{runId}`). */
  group?: string;
}

/**
 * The W&B runs `@wandb_log` made for one flow run, oldest first. Pass a finished `FlowRun` (from
 * `await MyFlow.run()`) or `{ flowName, runId }`.
 */
export async function wandbRunsOf(flowRun: FlowRunRunsQuery, options: ApiOptions = {}): Promise<ApiRun[]> {
  const env = options.env ?? process.env;
  const project = flowRun.project ?? options.settings?.project ?? (env["WANDB_PROJECT"] || flowRun.flowName);
  const api = new Api({ ...options, settings: { ...options.settings, project } });
  return api.runs(project, { group: flowRun.group ?? `${flowRun.flowName}/${flowRun.runId}` });
}
