/**
 * An artifact version found on the W&B server rather than in the local registry: what
 * `run.useArtifact("name:alias")` returns online when the version was logged from another machine.
 * The manifest lists every file (path, MD5, size); the bytes stay on the server.
 */
import type { ManifestV1Json } from "./artifact-digest.js";

/** Where to look for an artifact on the server: `[entity/][project/]name:alias`, split. */
export interface RemoteArtifactReference {
  /** Undefined: the run's entity. */
  entity: string | undefined;
  project: string;
  name: string;
  /** `latest`, a user alias, or `vN`. */
  alias: string;
}

/** A committed version as the server describes it. */
export interface RemoteArtifactVersion {
  readonly source: "server";
  /** The server's id of this version. */
  readonly id: string;
  readonly name: string;
  readonly type: string;
  readonly entity: string;
  readonly project: string;
  /** `vN`. */
  readonly version: string;
  readonly versionIndex: number;
  /** Hex artifact digest. */
  readonly digest: string;
  readonly size: number;
  readonly aliases: string[];
  readonly manifest: ManifestV1Json;
  /** `name:vN`. */
  readonly qualifiedName: string;
}

/** Something that can look artifact versions up on a server (the online sink of a run). */
export interface RemoteArtifactResolver {
  /** The version `reference` names, or undefined when the server has none. */
  resolveArtifact(reference: RemoteArtifactReference): Promise<RemoteArtifactVersion | undefined>;
}
