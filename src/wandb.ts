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
export { readTransactionLog, parseTransactionLog, transactionLogRecords, TransactionLogCorruptError, type TransactionLog } from "./wandb/offline/transaction-log-reader.js";
export { init, WandbDisabledError, type InitOptions, type InitDependencies } from "./wandb/init.js";
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
export { Artifact, ArtifactFrozenError, type ArtifactOptions, type LoggedArtifactVersion } from "./wandb/artifact.js";
export { ArtifactVersion, ArtifactIntegrityError, type ArtifactFileInfo } from "./wandb/artifact-version.js";
export * from "./wandb/artifact-validation.js";
export { artifactDigest, manifestV1, compareUtf8, type ManifestV1Json, type ManifestEntryJson } from "./wandb/artifact-digest.js";
export { digestFile, base64DigestToHex, type FileDigest } from "./wandb/file-digest.js";
export type { ArtifactPath } from "./wandb/artifact-path.js";
export type { LogArtifactOptions, UseArtifactOptions } from "./wandb/run-artifacts.js";
export { ArtifactRegistry, ArtifactNotFoundError, ArtifactTypeConflictError, type RunRef, type StoredVersion } from "./wandb/offline/artifact-registry.js";
export { ObjectStore, ArtifactSourceError } from "./wandb/offline/object-store.js";
export { LocalArtifacts } from "./wandb/offline/local-artifacts.js";
export { artifactLocations } from "./wandb/offline/artifact-locations.js";
export { LockTimeoutError } from "./wandb/offline/lock-file.js";
export { Api, OfflineApiBackend, RunNotFoundError, registerOnlineApiBackend, type ApiBackend, type ApiRun, type RunFilters, type ApiOptions } from "./wandb/api.js";
export { listRunDirs, readLocalRun, runIdOfDir, type LocalRunData } from "./wandb/offline/run-log-reader.js";
export { applyItems, type JsonTree } from "./wandb/key-value-tree.js";
export * from "./integration/index.js";
