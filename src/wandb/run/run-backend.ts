/**
 * Where a run's records go, chosen by its settings. Every run writes its local transaction log (the
 * `.wandb` file, in every mode: it is what `wbflow sync` uploads later); a backend adds what the mode
 * needs on top of it. Offline that is nothing; online it is the W&B server. The online backend's code
 * (HTTP client, GraphQL, file_stream, uploads) is imported only when a run asks for online mode, so
 * offline work and programs that never go online do not load it.
 */
import type { RecordSink, RunSinkContext } from "../protocol/record-sink.js";
import type { Settings } from "../settings/settings.js";

/** The storage behind a W&B run, beside its local transaction log. */
export interface RunBackend {
  /**
   * Opens the sink that receives the run's records besides the local log, or undefined when the
   * backend needs none. Called once per run, after the run directory exists and before the first
   * record; a rejection fails `init` (the local log is then closed).
   */
  openSink(settings: Settings, context: RunSinkContext): Promise<RecordSink | undefined>;
}

/** Offline: the local transaction log is all there is. */
export const offlineBackend: RunBackend = {
  openSink: async () => undefined,
};

/** The backend `settings.mode` asks for (modes other than online are served offline). */
export async function backendFor(settings: Settings): Promise<RunBackend> {
  if (settings.mode !== "online") return offlineBackend;
  const { onlineBackend } = await import("../online/online-backend.js");
  return onlineBackend;
}
