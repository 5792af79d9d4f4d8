/**
 * The integration of flows and W&B: `@wandb_log` and the helpers that find its data again.
 * Importing it adds `load()` to W&B artifact versions.
 */
import "./artifact-load.js";

export { wandb_log } from "./wandb-log.js";
export type { WandbLogOptions, WandbLogSettings } from "./wandb-log-options.js";
export { run, activeRun, NoActiveRunError } from "./active-run.js";
export { loadArtifactValue, ArtifactLoadError } from "./artifact-load.js";
export { wandbRunsOf, type FlowRunRunsQuery } from "./flow-run-runs.js";
export { artifactNameFor } from "./artifact-name.js";
export { toSummaryValue, type SummaryValue, type SummaryConversion } from "./summary-value.js";
export { configureWandbLog, type WandbLogEnvironment } from "./wandb-log-environment.js";
export { taskWandbRecordOf, TASK_METADATA_KEY, type TaskWandbRecord, type LoggedAttribute } from "./task-wandb-record.js";
export type { WbflowArtifactMetadata, StoredForm } from "./value-artifact.js";
