/**
 * The integration of flows and W&B: `@wandb_log` and the helpers that find its data again.
 * Importing it adds `load()` to W&B artifact versions.
 */
import "./artifact-load.js";

export { wandb_log } from "./wandb-log/wandb-log.js";
export type { WandbLogOptions, WandbLogSettings } from "./wandb-log/wandb-log-options.js";
export { run, activeRun, NoActiveRunError } from "./wandb-log/active-run.js";
export { loadArtifactValue, ArtifactLoadError } from "./artifact-load.js";
export { wandbRunsOf, type FlowRunRunsQuery } from "./report/flow-run-runs.js";
export { artifactNameFor } from "./wandb-log/artifact-name.js";
export { toSummaryValue, type SummaryValue, type SummaryConversion } from "./wandb-log/summary-value.js";
export { configureWandbLog, type WandbLogEnvironment } from "./wandb-log/wandb-log-environment.js";
export { taskWandbRecordOf, TASK_METADATA_KEY, type TaskWandbRecord, type LoggedAttribute } from "./wandb-log/task-wandb-record.js";
export type { WbflowArtifactMetadata, StoredForm } from "./wandb-log/value-artifact.js";
