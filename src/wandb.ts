/**
 * `wbflow/wandb`: the W&B client (runs, artifacts, offline store, read API) and `@wandb_log`.
 * Each layer adds its public exports below (one `export ... from` line per module).
 */
export * from "./wandb/offline/records.js";
export type { RecordSink, RunSinkContext } from "./wandb/record-sink.js";
export { ApiKey, InvalidApiKeyError } from "./wandb/api-key.js";
export { netrcPath, netrcMachine, readNetrcPassword, writeNetrcEntry, removeNetrcEntry, NetrcSyntaxError } from "./wandb/netrc.js";
export * from "./wandb/settings.js";
export { announceOfflineOnce, offlineNoticeText } from "./wandb/offline-notice.js";
export { registerOnlineBackend, onlineBackend, OnlineBackendMissingError, type OnlineBackendFactory } from "./wandb/online-backend.js";
export { TransactionLogWriter } from "./wandb/offline/transaction-log-writer.js";
export { readTransactionLog, parseTransactionLog, TransactionLogCorruptError, type TransactionLog } from "./wandb/offline/transaction-log-reader.js";
export { init, type InitOptions, type InitDependencies } from "./wandb/init.js";
export { Run, RunFinishedError, type LogOptions } from "./wandb/run.js";
export { RunConfig } from "./wandb/run-config.js";
export { RunSummary } from "./wandb/run-summary.js";
export { UnrepresentableValueError, toExtendedJson, parseExtendedJson } from "./wandb/extended-json.js";
export { systemClock, type Clock } from "./wandb/clock.js";
export { generateRunId } from "./wandb/ids.js";
export { RunDirectoryExistsError } from "./wandb/offline/run-directory.js";
import "./wandb/online/install.js";
export { verifyApiKey, queryViewer, type ViewerInfo } from "./wandb/online/viewer.js";
export { WandbApiError, WandbAuthError, WandbNotFoundError, WandbGraphQLError, WandbUnreachableError, WandbUploadError } from "./wandb/online/api-errors.js";
export { WandbHttpClient, type ServerConnection, type RetryEvent } from "./wandb/online/http-client.js";
export { appUrlFor, projectUrl, runUrl, artifactUrl } from "./wandb/online/app-urls.js";
export { OnlineSender, type OnlineSenderOptions, type OnlineRunInfo } from "./wandb/online/online-sender.js";
export { tuneOnlineRuns, createOnlineSink, type OnlineRunTuning } from "./wandb/online/online-backend-factory.js";
export { uploadArtifact, type ArtifactUpload, type ArtifactUploadEntry, type ArtifactUploadOptions, type ArtifactUploadProgress, type LoggedArtifact } from "./wandb/online/artifact-uploader.js";
export { useArtifactByName, parseArtifactPath } from "./wandb/online/artifact-use.js";
export { syncRuns, type SyncOptions, type SyncedRun } from "./wandb/sync.js";
export { SyncPathError } from "./wandb/sync-sources.js";
export { isSynced, markSynced, syncedMarkerPath } from "./wandb/sync-marker.js";
