/**
 * The seam between the offline client and the online sender. `run.ts` never imports online code:
 * the online module calls `registerOnlineBackend(factory)` when it is loaded (importing
 * `wbflow/wandb` loads it), and `init` in online mode asks the registered factory for a sink that
 * receives the same records the offline log gets.
 */
import type { RecordSink, RunSinkContext } from "../protocol/record-sink.js";
import type { Settings } from "../settings/settings.js";

/** Creates the online sink for one run. Called after the offline log exists and before the first record. */
export type OnlineBackendFactory = (settings: Settings, context: RunSinkContext) => RecordSink | Promise<RecordSink>;

let factory: OnlineBackendFactory | undefined;

/** Raised when a run asks for online mode but no online backend was registered. */
export class OnlineBackendMissingError extends Error {
  constructor() {
    super(
      "W&B mode is 'online' but no online backend is loaded in this process. " +
        "Import 'wbflow/wandb' (which registers it), or use mode 'offline' and upload later with `wbflow sync`.",
    );
    this.name = "OnlineBackendMissingError";
  }
}

/** Installs the factory used for online runs (the online module calls this once). Returns the previous one. */
export function registerOnlineBackend(next: OnlineBackendFactory | undefined): OnlineBackendFactory | undefined {
  const previous = factory;
  factory = next;
  return previous;
}

/** The registered factory, or undefined when this process has none. */
export function onlineBackend(): OnlineBackendFactory | undefined {
  return factory;
}
