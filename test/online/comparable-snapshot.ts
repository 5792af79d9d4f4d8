/** A server snapshot without `wandb-metadata.json`, which describes the process that wrote the run. */
import type { ProtocolServer } from "../support/protocol-server/protocol-server.js";
import type { ServerSnapshot } from "../support/protocol-server/server-state.js";

export function comparableSnapshot(server: ProtocolServer): ServerSnapshot {
  const snapshot = server.state.snapshot();
  for (const run of Object.values(snapshot.runs)) delete run.files["wandb-metadata.json"];
  return snapshot;
}
