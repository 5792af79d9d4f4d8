/**
 * Where a run's records go. A `Run` turns every user action (init, config change, log, summary,
 * console line, artifact, finish) into `WandbRecord`s and hands each one, in order, to every attached
 * sink. The offline transaction-log sink is always attached (the `.wandb` file is written in every
 * mode); in online mode an online sender is attached too and consumes the very same records.
 */
import type { WandbRecord } from "./records.js";
import type { RemoteArtifactReference, RemoteArtifactVersion } from "../artifacts/remote-artifact-version.js";

/** A consumer of one run's record stream. */
export interface RecordSink {
  /**
   * Receives the next record. Records arrive in the order the run produced them; `num` is already
   * assigned (1, 2, 3…). May return a promise: the run awaits it before `finish()` resolves, but does
   * not block `log()` callers on it (sinks queue internally and keep order).
   */
  write(record: WandbRecord): void | Promise<void>;
  /**
   * Called once after the `exit` record: flush everything and release resources. The run's
   * `finish()` resolves only when every sink's `close()` has resolved.
   */
  close(): Promise<void>;
  /** The run's page on the server, once the sink knows it (online sinks only). */
  runUrl?(): string | undefined;
  /**
   * Online sinks only: looks an artifact version up on the server (for `run.useArtifact` when the
   * local registry does not have it). Undefined when the server has no such version.
   */
  resolveArtifact?(reference: RemoteArtifactReference): Promise<RemoteArtifactVersion | undefined>;
  /**
   * Online sinks only: waits until the server committed (or already had) the version of the
   * produced `artifact` record with this `clientId`, and resolves the number the server gave it
   * (`versionIndex`) and whether it already had the content. Resolves undefined when the server was
   * not reached (the sink went offline): the version then keeps its local number until a sync.
   * Bounded like every request of the run.
   */
  serverVersionOf?(clientId: string): Promise<{ versionIndex: number; deduplicated: boolean } | undefined>;
}

/** What an online backend is told about the run it will serve when it is attached. */
export interface RunSinkContext {
  /** Run id (8 chars `[a-z0-9]` or the user's). */
  runId: string;
  /** The offline run directory (`.../wandb/offline-run-…`), where `files/` lives. */
  runDir: string;
  /** `files/` inside `runDir`: `config.yaml`, `wandb-summary.json`, `output.log`, `wandb-metadata.json`. */
  filesDir: string;
}
