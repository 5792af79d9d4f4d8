/**
 * Builds the online sink of a run (used by the online `RunBackend`, online-backend.ts). A run
 * whose records all reached the server gets the `.synced` marker, so `wbflow sync --all` skips
 * it; a run whose server failed keeps no marker and can be synced later.
 */
import path from "node:path";
import type { RecordSink } from "../protocol/record-sink.js";
import type { RemoteArtifactReference, RemoteArtifactVersion } from "../artifacts/remote-artifact-version.js";
import type { WandbRecord } from "../protocol/records.js";
import type { Settings } from "../settings/settings.js";
import { knownServerNumbers, learnServerNumbers } from "../sync/server-numbers.js";
import { markSynced } from "../sync/sync-marker.js";
import { WandbUnreachableError } from "./http/api-errors.js";
import { WandbHttpClient } from "./http/http-client.js";
import { realTiming } from "./http/network-timing.js";
import { LIVE_RUN_PATIENCE_MS } from "./http/retry-policy.js";
import { OnlineSender, type OnlineSenderOptions } from "./online-sender.js";
import type { ServerNumbering } from "./artifacts/version-numbers.js";
import type { RunSinkContext } from "../protocol/record-sink.js";

/** Options the kernel or tests may set for every online run of this process. */
export type OnlineRunTuning = Partial<Pick<OnlineSenderOptions, "fileStream" | "artifactUpload" | "notify">> & {
  timing?: ConstructorParameters<typeof WandbHttpClient>[0]["timing"];
};

let tuning: OnlineRunTuning = {};

/** Sets process-wide tuning for online runs (e.g. a notify function that prints into the notebook). */
export function tuneOnlineRuns(next: OnlineRunTuning): void {
  tuning = next;
}

/**
 * Servers (by base URL) that stopped answering, with when. A flow opens a run per task: once the
 * server is down, the next runs stay offline at once for a while instead of each waiting through
 * every retry; after the pause the next run tries the server again.
 */
const unreachableSince = new Map<string, number>();
const UNREACHABLE_PAUSE_MS = 5 * 60_000;

/** A sink that forwards to the sender and marks the log synced when the sender finished cleanly. */
class MarkingSink implements RecordSink {
  constructor(
    readonly sender: OnlineSender,
    private readonly logPath: string,
    private readonly baseUrl: string,
    private readonly now: () => number,
  ) {}

  write(record: WandbRecord): Promise<void> {
    return this.sender.write(record);
  }

  async close(): Promise<void> {
    await this.sender.close();
    if (this.sender.failure instanceof WandbUnreachableError) unreachableSince.set(this.baseUrl, this.now());
    if (this.sender.failure === undefined && this.sender.runInfo) {
      unreachableSince.delete(this.baseUrl);
      await markSynced(this.logPath);
    }
  }

  runUrl(): string | undefined {
    return this.sender.runInfo?.url;
  }

  resolveArtifact(reference: RemoteArtifactReference): Promise<RemoteArtifactVersion | undefined> {
    return this.sender.resolveArtifact(reference);
  }

  serverVersionOf(clientId: string): Promise<ServerNumbering | undefined> {
    return this.sender.serverVersionOf(clientId);
  }
}

/** Stands in for the sender while the server is known to be down: the run stays offline. */
class OfflineForNowSink implements RecordSink {
  constructor(private readonly baseUrl: string) {}

  write(): void {}
  async close(): Promise<void> {}

  /** The server is not asked: versions keep their local numbers until a sync. */
  async serverVersionOf(): Promise<ServerNumbering | undefined> {
    return undefined;
  }

  /** Says why the server is not asked (rather than leaving the run to look like an offline one). */
  resolveArtifact(reference: RemoteArtifactReference): Promise<RemoteArtifactVersion | undefined> {
    return Promise.reject(
      new WandbUnreachableError(
        `Artifact ${reference.name}:${reference.alias} is not in the local registry, and ${this.baseUrl} did not answer a moment ago, ` +
          "so it was not asked either. Try again in a few minutes, or log the artifact here first.",
      ),
    );
  }
}

/** Builds the online sink for one run from its settings. */
export function createOnlineSink(settings: Settings, context: RunSinkContext): RecordSink {
  if (!settings.api_key) {
    throw new Error("W&B mode is 'online' but no API key is set; run `wbflow login` or set WANDB_API_KEY.");
  }
  const notify = tuning.notify ?? ((line: string) => console.error(line));
  const now = (tuning.timing ?? realTiming).now;
  const downSince = unreachableSince.get(settings.base_url);
  if (downSince !== undefined && now() - downSince < UNREACHABLE_PAUSE_MS) {
    notify(
      `wandb: ${settings.base_url} did not answer a moment ago, so run ${context.runId} is kept offline; ` +
        `upload it later with \`wbflow sync ${context.runDir}\`.`,
    );
    return new OfflineForNowSink(settings.base_url);
  }
  let warnedSlow = false;
  const http = new WandbHttpClient({
    baseUrl: settings.base_url,
    apiKey: settings.api_key.reveal(),
    ...(tuning.timing ? { timing: tuning.timing } : {}),
    // A live run never waits long on a dead server: it goes offline instead (the sender says so).
    giveUpAfterMs: LIVE_RUN_PATIENCE_MS,
    // Say once that the server is struggling; the final outcome is reported by the sender.
    onRetry: (event) => {
      if (warnedSlow) return;
      warnedSlow = true;
      notify(
        `wandb: ${settings.base_url} did not answer a request (${event.policy}: ${event.reason}); ` +
          `retrying for up to ${LIVE_RUN_PATIENCE_MS / 1000} s, then run ${context.runId} continues offline.`,
      );
    },
  });
  const sender = new OnlineSender({
    http,
    mode: "live",
    defaultProject: settings.project,
    // W&B reads the UI's URL from the environment too (self-hosted servers with a separate UI host).
    ...(process.env["WANDB_APP_URL"] ? { appUrl: process.env["WANDB_APP_URL"] } : {}),
    ...(settings.entity !== undefined ? { defaultEntity: settings.entity } : {}),
    filesDir: context.filesDir,
    syncHint: `wbflow sync ${context.runDir}`,
    // Once uploaded, the local registry shows the server's version numbers too.
    onVersionNumbered: learnServerNumbers(settings.wandb_dir),
    // …and a use of a version another process uploaded (a worker, an earlier session) finds it there.
    knownServerNumbers: knownServerNumbers(settings.wandb_dir),
    ...(tuning.fileStream ? { fileStream: tuning.fileStream } : {}),
    ...(tuning.artifactUpload ? { artifactUpload: tuning.artifactUpload } : {}),
    notify,
  });
  return new MarkingSink(sender, path.join(context.runDir, `run-${context.runId}.wandb`), settings.base_url, now);
}
