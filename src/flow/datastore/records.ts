/** The records the flow engine writes to the datastore and the client reads back. */

/** Where one artifact's bytes are stored and how to decode them. */
export interface ArtifactRecord {
  /** Attribute name on the flow, e.g. "raw_df". */
  name: string;
  /** sha256 hex of the encoded bytes; the blob's file name. */
  sha: string;
  /** Encoded size in bytes. */
  size: number;
  /** Id of the codec that encoded it, e.g. "v8". */
  codec: string;
  /** Human type name, e.g. "Map" or "ColumnTable[3x2]". */
  type: string;
  /** Pathspec `Flow/run/step/task` of the task that wrote this value; inherited records keep it. */
  producedBy: string;
  /**
   * The encoded bytes (base64) of a small value, kept in the record instead of a blob file so a
   * task's small artifacts cost no file each. Absent for values stored as blobs.
   */
  inline?: string;
}

/** What `Datastore.putValue` returns: an artifact record without the name and producer the caller knows. */
export type StoredValue = Omit<ArtifactRecord, "name" | "producedBy">;

/** Identifies one task of one run. */
export interface TaskKey {
  flowName: string;
  runId: string;
  stepName: string;
  taskId: string;
}

/** A run's own facts, written once when it is created. */
export interface RunInfo {
  flowName: string;
  runId: string;
  /** epoch ms */
  createdAt: number;
  userName: string;
  tags: string[];
  systemTags: string[];
  originRunId?: string;
}

/** What a finished attempt stores. */
export interface TaskResult {
  /** Everything the task's output holds (inherited refs + written). */
  artifacts: Record<string, ArtifactRecord>;
  /** JSON metadata (attempt, retryCount, pathspecIndex, parentTaskIds, ...); hooks may add keys. */
  metadata: Record<string, unknown>;
}

/** A finished attempt read back. */
export interface StoredTask extends TaskResult {
  key: TaskKey;
  attempt: number;
  /** epoch ms when the attempt started */
  startedAt: number;
  /** epoch ms when the attempt was marked done */
  finishedAt: number;
}

/** Options of a `Datastore`. */
export interface DatastoreOptions {
  /** Root folder; default `$WBFLOW_DATASTORE`, else `./.wbflow` in the current directory. */
  root?: string;
  /** Clock (epoch ms) for attempt timestamps; injectable for deterministic tests. */
  now?: () => number;
}
