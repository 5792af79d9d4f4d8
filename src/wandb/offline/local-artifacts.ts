/**
 * The local artifact store of one W&B directory: object store + registry, and the two operations a
 * run needs — commit a logged artifact, and look up a version for use or reading.
 */
import path from "node:path";
import { artifactDigest, compareUtf8, manifestV1 } from "../artifacts/artifact-digest.js";
import { validateMetadata } from "../artifacts/artifact-validation.js";
import type { Artifact, MaterializedEntry } from "../artifacts/artifact.js";
import { ArtifactVersion } from "../artifacts/artifact-version.js";
import type { ArtifactManifestEntry, ArtifactRecord } from "../protocol/records.js";
import { artifactLocations } from "./artifact-locations.js";
import { ArtifactRegistry, type CommitResult, type RunRef, type StoredVersion } from "./artifact-registry.js";
import { ObjectStore } from "./object-store.js";
import { StagingCopies } from "./staging-copies.js";

/** What committing a draft produced, plus what the `artifact` record needs. */
export interface CommittedArtifact {
  result: CommitResult;
  entries: MaterializedEntry[];
}

export class LocalArtifacts {
  readonly store: ObjectStore;
  readonly registry: ArtifactRegistry;
  private readonly staging: StagingCopies;
  private readonly downloadRoot: string;

  constructor(
    wandbDir: string,
    /** The run root (`root_dir`); default downloads go to `<root_dir>/artifacts/<name>:vN`. */
    rootDir: string,
    now: () => number = Date.now,
    /** Where one-line notices (a damaged registry file) go; default stderr. */
    warn?: (line: string) => void,
  ) {
    const locations = artifactLocations(wandbDir);
    this.store = ObjectStore.at(locations.objects);
    this.registry = new ArtifactRegistry(locations.registry, now, warn);
    this.staging = new StagingCopies(locations.staging);
    this.downloadRoot = path.join(rootDir, "artifacts");
  }

  /** Hashes and stores the draft's files, then commits (or deduplicates) a version. */
  async commit(
    artifact: Artifact,
    where: { project: string; entity?: string },
    /** The run that logged it; `pendingProducer` when that run publishes it only at its finish. */
    lineage: { producer?: RunRef; pendingProducer?: RunRef },
    aliases: string[],
    clientId: string,
  ): Promise<CommittedArtifact> {
    const metadata = JSON.parse(validateMetadata(artifact.metadata)) as Record<string, unknown>; // may have changed since construction
    const entries = await artifact.materialize(this.store);
    const manifest = manifestV1(entries.map(({ path: p, digest, size, ref }) => ({ path: p, digest, size, ...(ref ? { ref } : {}) })));
    const result = await this.registry.commit({
      name: artifact.name,
      type: artifact.type,
      project: where.project,
      ...(where.entity ? { entity: where.entity } : {}),
      digest: artifactDigest(entries),
      size: entries.reduce((sum, e) => sum + e.size, 0),
      ...(artifact.description !== undefined ? { description: artifact.description } : {}),
      metadata,
      manifest,
      ...(lineage.producer ? { producer: lineage.producer } : {}),
      ...(lineage.pendingProducer ? { pendingProducer: lineage.pendingProducer } : {}),
      clientId,
      aliases,
    });
    return { result, entries };
  }

  /**
   * Manifest entries for an `artifact` record: each stored file gets a staging copy as its
   * `localPath` (what `wandb sync` uploads, chmods and deletes), never a file of the store itself.
   */
  async recordEntries(entries: Iterable<{ path: string; digest: string; size: number; ref?: string }>, clientId: string): Promise<ArtifactManifestEntry[]> {
    const out: ArtifactManifestEntry[] = [];
    for (const entry of entries) {
      if (entry.ref !== undefined) {
        out.push({ path: entry.path, digest: entry.digest, ref: entry.ref, size: entry.size });
        continue;
      }
      const localPath = await this.staging.stage(this.store.objectPath(entry.digest), entry.digest, clientId, entry.path);
      out.push({ path: entry.path, digest: entry.digest, size: entry.size, localPath });
    }
    return out;
  }

  /** Reads a version with its aliases and consumers; its `vN` is the server's number once uploaded. */
  async open(project: string, name: string, alias: string): Promise<ArtifactVersion> {
    const stored = await this.registry.resolve(project, name, alias);
    // Content the server numbered twice (logged again after other content) answers `vN` as asked.
    const asked = /^v(\d+)$/.exec(alias);
    const askedNumber = asked ? Number(asked[1]) : undefined;
    const earlier = askedNumber === undefined ? [] : ((await this.registry.serverVersions(project, name)).earlier[stored.digest] ?? []);
    return this.withDetails(stored, askedNumber !== undefined && earlier.includes(askedNumber) ? askedNumber : undefined);
  }

  /** Reads the version this registry numbered `localNumber` (see `ArtifactVersion.localIndex`). */
  async openLocal(project: string, name: string, localNumber: number): Promise<ArtifactVersion> {
    return this.withDetails(await this.registry.resolveLocal(project, name, localNumber));
  }

  /**
   * Reads the versions with these digests (one pass over the collection), each numbered as
   * `open` numbers it; digests the registry lacks are missing from the map.
   */
  async openDigests(project: string, name: string, digests: Iterable<string>): Promise<Map<string, ArtifactVersion>> {
    const stored = await this.registry.resolveDigests(project, name, digests);
    const opened = new Map<string, ArtifactVersion>();
    for (const [digest, version] of stored) opened.set(digest, await this.withDetails(version));
    return opened;
  }

  private async withDetails(stored: StoredVersion, shownNumber?: number): Promise<ArtifactVersion> {
    const { project, name } = stored;
    const serverNumber = shownNumber ?? (await this.registry.serverNumbers(project, name))[stored.digest];
    const [aliases, consumers] = await Promise.all([
      this.registry.aliasesOf(project, name, stored.version, serverNumber),
      this.registry.consumers(project, name, stored.version),
    ]);
    return new ArtifactVersion(stored, aliases, consumers, this.store, this.downloadRoot, serverNumber);
  }
}

/** The `artifact` record of a version (produced, or logged for use). */
export function artifactRecord(fields: {
  version: Pick<StoredVersion, "project" | "entity" | "type" | "name" | "digest" | "description" | "metadata">;
  runId: string;
  entries: ArtifactManifestEntry[];
  aliases: string[];
  clientId: string;
  sequenceClientId: string;
  forUse: boolean;
}): ArtifactRecord {
  const v = fields.version;
  return {
    runId: fields.runId,
    project: v.project,
    entity: v.entity,
    type: v.type,
    name: v.name,
    digest: v.digest,
    description: v.description,
    // As W&B writes them: no metadata field when there is none, manifest entries sorted by path.
    ...(Object.keys(v.metadata).length > 0 ? { metadata: JSON.stringify(v.metadata) } : {}),
    userCreated: fields.forUse,
    useAfterCommit: fields.forUse,
    aliases: fields.aliases,
    manifest: {
      version: 1,
      storagePolicy: "wandb-storage-policy-v1",
      storagePolicyConfig: [{ key: "storageLayout", valueJson: JSON.stringify("V2") }],
      contents: [...fields.entries].sort((a, b) => compareUtf8(a.path ?? "", b.path ?? "")),
    },
    finalize: true,
    clientId: fields.clientId,
    sequenceClientId: fields.sequenceClientId,
  };
}
