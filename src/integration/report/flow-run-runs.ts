/**
 * "Where is my data": the W&B runs of one flow run, found by their group `{flowName}/{runId}`.
 */
import { Api, type ApiOptions, type ApiRun } from "../../wandb/api.js";
import { defaultGroupOf, defaultProjectOf } from "../wandb-log/flow-run-defaults.js";

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
  const project = flowRun.project ?? options.settings?.project ?? defaultProjectOf(flowRun.flowName, env);
  const api = new Api({ ...options, settings: { ...options.settings, project } });
  return api.runs(project, { group: flowRun.group ?? defaultGroupOf(flowRun.flowName, flowRun.runId) });
}
