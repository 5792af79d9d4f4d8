/**
 * What a logged task records in its datastore metadata under `wandb`: its W&B run and the exact
 * artifact version logged for each attribute. A later task that reads the attribute finds the
 * producing task through `ArtifactRecord.producedBy` and uses exactly that version (by digest) — never
 * `:latest`, which another run may have moved meanwhile. A resumed run clones tasks together with
 * their metadata, so versions logged by the origin run stay resolvable.
 */
import type { LoggedArtifactVersion } from "../../wandb/artifacts/artifact.js";

/** The metadata key. */
export const TASK_METADATA_KEY = "wandb";

/** One logged artifact version, as recorded for an attribute. */
export interface LoggedAttribute {
  name: string;
  type: string;
  /**
   * `vN` when the task logged it: the W&B server's number when `numberedBy` is `server` (online),
   * else the local registry's at that time (offline, or the server did not answer). A local number
   * may later name other content (after a sync the registry learns the server's numbers), so readers
   * find the version by `digest` and show the number the registry gives it now.
   */
  version: string;
  /** `server` when `version` is the W&B server's number; absent when it is the local registry's. */
  numberedBy?: "server";
  project: string;
  entity?: string;
  /** Hex artifact digest. */
  digest: string;
}

/** The `wandb` metadata of a task. */
export interface TaskWandbRecord {
  run: {
    id: string;
    project: string;
    entity?: string;
    group?: string;
    jobType?: string;
    /** The run's local directory (`<wandbDir>/[offline-]run-<time>-<id>`). */
    dir: string;
    exitCode: number;
    /** The run's mode (absent in records written before it was recorded). */
    mode?: "online" | "offline";
    /** The W&B directory holding the run and the local artifact registry (absent in older records). */
    wandbDir?: string;
    /** The run's page, when the server created the run. */
    url?: string;
  };
  /** Logged artifact versions by attribute name. */
  artifacts: Record<string, LoggedAttribute>;
}

/** The recorded form of a logged version. */
export function loggedAttribute(version: LoggedArtifactVersion): LoggedAttribute {
  return {
    name: version.name,
    type: version.type,
    version: version.version,
    ...(version.numberedBy === "server" ? { numberedBy: "server" as const } : {}),
    project: version.project,
    ...(version.entity ? { entity: version.entity } : {}),
    digest: version.digest,
  };
}

/** The exact reference W&B resolves to this version: `[entity/]project/name:vN`. */
export function exactReference(logged: LoggedAttribute): string {
  return `${logged.entity ? `${logged.entity}/` : ""}${logged.project}/${logged.name}:${logged.version}`;
}

/** Reads the `wandb` record out of a task's metadata (undefined when the task logged nothing). */
export function taskWandbRecordOf(metadata: Readonly<Record<string, unknown>>): TaskWandbRecord | undefined {
  const record = metadata[TASK_METADATA_KEY] as TaskWandbRecord | undefined;
  return record && typeof record === "object" && typeof record.artifacts === "object" ? record : undefined;
}
