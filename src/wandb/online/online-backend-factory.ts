/**
 * Plugs the online sender into runs: registers the factory `init` calls in online mode. A run
 * whose records all reached the server gets the `.synced` marker, so `wbflow sync --all` skips
 * it; a run whose server failed keeps no marker and can be synced later.
 */
import path from "node:path";
import { registerOnlineBackend, type OnlineBackendFactory } from "../online-backend.js";
import type { RecordSink } from "../record-sink.js";
import type { WandbRecord } from "../offline/records.js";
import type { Settings } from "../settings.js";
import { markSynced } from "../sync-marker.js";
import { WandbHttpClient } from "./http-client.js";
import { OnlineSender, type OnlineSenderOptions } from "./online-sender.js";
import type { RunSinkContext } from "../record-sink.js";

/** Options the kernel or tests may set for every online run of this process. */
export type OnlineRunTuning = Partial<Pick<OnlineSenderOptions, "fileStream" | "artifactUpload" | "notify">> & {
  timing?: ConstructorParameters<typeof WandbHttpClient>[0]["timing"];
};

let tuning: OnlineRunTuning = {};

/** Sets process-wide tuning for online runs (e.g. a notify function that prints into the notebook). */
export function tuneOnlineRuns(next: OnlineRunTuning): void {
  tuning = next;
}

/** A sink that forwards to the sender and marks the log synced when the sender finished cleanly. */
class MarkingSink implements RecordSink {
  constructor(
    readonly sender: OnlineSender,
    private readonly logPath: string,
  ) {}

  write(record: WandbRecord): Promise<void> {
    return this.sender.write(record);
  }

  async close(): Promise<void> {
    await this.sender.close();
    if (this.sender.failure === undefined && this.sender.runInfo) await markSynced(this.logPath);
  }

  runUrl(): string | undefined {
    return this.sender.runInfo?.url;
  }
}

/** Builds the online sink for one run from its settings. */
export const createOnlineSink: OnlineBackendFactory = (settings: Settings, context: RunSinkContext) => {
  if (!settings.api_key) {
    throw new Error("W&B mode is 'online' but no API key is set; run `wbflow login` or set WANDB_API_KEY.");
  }
  const notify = tuning.notify ?? ((line: string) => console.error(line));
  let warnedSlow = false;
  const http = new WandbHttpClient({
    baseUrl: settings.base_url,
    apiKey: settings.api_key.reveal(),
    ...(tuning.timing ? { timing: tuning.timing } : {}),
    // Say once that the server is struggling; the final outcome is reported by the sender.
    onRetry: (event) => {
      if (warnedSlow) return;
      warnedSlow = true;
      notify(`wandb: ${settings.base_url} did not answer a ${event.policy} request (${event.reason}); retrying.`);
    },
  });
  const sender = new OnlineSender({
    http,
    mode: "live",
    defaultProject: settings.project,
    ...(settings.entity !== undefined ? { defaultEntity: settings.entity } : {}),
    filesDir: context.filesDir,
    syncHint: `wbflow sync ${context.runDir}`,
    ...(tuning.fileStream ? { fileStream: tuning.fileStream } : {}),
    ...(tuning.artifactUpload ? { artifactUpload: tuning.artifactUpload } : {}),
    notify,
  });
  return new MarkingSink(sender, path.join(context.runDir, `run-${context.runId}.wandb`));
};

/** Installs the online backend (done once when `wbflow/wandb` is imported). */
export function installOnlineBackend(): void {
  registerOnlineBackend(createOnlineSink);
}
