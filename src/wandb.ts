/**
 * `wbflow/wandb`: `@wandb_log` for flows, and the W&B client it is built on (runs, artifacts, the
 * read API, sync of offline runs).
 *
 * This is a deliberate list of what a user calls. The record schema, the transaction log, the object
 * store, the HTTP client and the senders are internal and imported by path (tests, the kernel, the
 * CLI). A new name here is a new promise: add it to `test/public-api.test.ts` on purpose.
 */
import "./integration/artifact-load.js";

// Flows: log every step run as a W&B run.
export { wandb_log } from "./integration/wandb-log/wandb-log.js";
export type { WandbLogOptions, WandbLogSettings } from "./integration/wandb-log/wandb-log-options.js";
export { run, activeRun, NoActiveRunError } from "./integration/wandb-log/active-run.js";
export { wandbRunsOf, type FlowRunRunsQuery } from "./integration/report/flow-run-runs.js";
export { loadArtifactValue, ArtifactLoadError } from "./integration/artifact-load.js";

// A W&B run: start one, log to it, finish it.
export { init, WandbDisabledError, type InitOptions } from "./wandb/run/init.js";
export { Run, RunFinishedError, type LogOptions } from "./wandb/run/run.js";
export type { RunConfig } from "./wandb/run/run-config.js";
export type { RunSummary } from "./wandb/run/run-summary.js";
export type { WandbMode, SettingsInput } from "./wandb/settings/settings.js";

// Artifacts: build, log, use, read back.
export { Artifact, ArtifactFrozenError, ArtifactNotLoggedError, type ArtifactOptions, type LoggedArtifactVersion } from "./wandb/artifacts/artifact.js";
export { ArtifactVersion, ArtifactIntegrityError, type ArtifactFileInfo } from "./wandb/artifacts/artifact-version.js";
export type { RemoteArtifactVersion } from "./wandb/artifacts/remote-artifact-version.js";
export { parseArtifactPath, type ArtifactPath } from "./wandb/artifacts/artifact-path.js";
export { ArtifactValidationError } from "./wandb/artifacts/artifact-validation.js";
export { ArtifactUnavailableError, type LogArtifactOptions, type UseArtifactOptions } from "./wandb/run/run-artifacts.js";
export { ArtifactNotFoundError } from "./wandb/offline/artifact-registry.js";

// Read past runs, and upload offline runs.
export { Api, RunNotFoundError, type ApiRun, type RunFilters, type ApiOptions } from "./wandb/api.js";
export { syncRuns } from "./wandb/sync/sync-on-demand.js";
export type { SyncOptions, SyncedRun } from "./wandb/sync/sync.js";

// Errors a user may want to tell apart.
export { InvalidSettingError } from "./wandb/settings/settings.js";
export { InvalidApiKeyError } from "./wandb/settings/api-key.js";
export { WandbApiError, WandbAuthError, WandbNotFoundError, WandbUnreachableError, WandbUploadError } from "./wandb/online/http/api-errors.js";
