/**
 * A committed artifact version as the read side sees it (`api.artifact(...)`, `run.useArtifact(...)`):
 * manifest, metadata, version, aliases, producer and consumer runs, and `download()`, which copies
 * every file out of the local store and verifies its MD5 on the way.
 */
import { randomUUID } from "node:crypto";
import { mkdirSync } from "node:fs";
import { rename, unlink } from "node:fs/promises";
import path from "node:path";
import type { ManifestV1Json } from "./artifact-digest.js";
import { copyWithDigest } from "./copy-with-digest.js";
import { destinationInside } from "./manifest-paths.js";
import { ObjectStore } from "../offline/object-store.js";
import type { RunRef, StoredVersion } from "../offline/artifact-registry.js";

/** Raised when a downloaded file's bytes do not match the manifest. */
export class ArtifactIntegrityError extends Error {
  constructor(artifact: string, entryPath: string, problem: string) {
    super(`Artifact ${artifact}, file '${entryPath}': ${problem}. The local copy is damaged; log the artifact again from its source.`);
    this.name = "ArtifactIntegrityError";
  }
}

/** One file of a version. */
export interface ArtifactFileInfo {
  path: string;
  /** base64 MD5 (or the reference's digest). */
  digest: string;
  size: number;
  /** For reference entries, the URI. */
  ref?: string;
}

/** A committed artifact version: manifest, metadata, aliases, producer and consumers, `download()`. */
export class ArtifactVersion {
  readonly name: string;
  readonly type: string;
  readonly project: string;
  readonly entity: string | undefined;
  /** `vN`: the W&B server's number once the version was uploaded (and learned), else the local one. */
  readonly version: string;
  readonly versionIndex: number;
  /** @internal The local registry's own number (its commit order), used for lineage records. */
  readonly localIndex: number;
  /** Hex artifact digest. */
  readonly digest: string;
  readonly size: number;
  readonly description: string | undefined;
  readonly metadata: Record<string, unknown>;
  readonly manifest: ManifestV1Json;
  readonly createdAt: string;
  readonly aliases: string[];
  /** The run that logged this version (undefined for user-created versions). */
  readonly producer: RunRef | undefined;
  /** Runs that used this version, as of when this object was read. */
  readonly consumers: RunRef[];

  /** @internal Built by the registry readers. */
  constructor(
    stored: StoredVersion,
    aliases: string[],
    consumers: RunRef[],
    private readonly store: ObjectStore,
    private readonly defaultDownloadRoot: string,
    serverNumber?: number,
  ) {
    this.name = stored.name;
    this.type = stored.type;
    this.project = stored.project;
    this.entity = stored.entity;
    this.localIndex = stored.version;
    this.versionIndex = serverNumber ?? stored.version;
    this.version = `v${this.versionIndex}`;
    this.digest = stored.digest;
    this.size = stored.size;
    this.description = stored.description;
    this.metadata = stored.metadata;
    this.manifest = stored.manifest;
    this.createdAt = stored.createdAt;
    this.aliases = aliases;
    this.producer = stored.producer;
    this.consumers = consumers;
  }

  /** `name:vN`. */
  get qualifiedName(): string {
    return `${this.name}:${this.version}`;
  }

  /** The files of this version, in manifest order. */
  files(): ArtifactFileInfo[] {
    return Object.entries(this.manifest.contents).map(([entryPath, entry]) => ({
      path: entryPath,
      digest: entry.digest,
      size: entry.size ?? 0,
      ...(entry.ref !== undefined ? { ref: entry.ref } : {}),
    }));
  }

  /**
   * Copies the files into `dir` (default `<root_dir>/artifacts/<name>:vN`), verifying each MD5, and
   * returns the directory. `file://` references are copied from their path; other references (remote
   * URIs) are not fetched — `files()` lists them. Every entry path is checked before anything is
   * written: one that would land outside `dir` fails the whole download (`UnsafeManifestPathError`).
   */
  async download(dir?: string): Promise<string> {
    const target = path.resolve(dir ?? path.join(this.defaultDownloadRoot, `${this.name}:${this.version}`));
    const files = this.files().map((file) => ({ file, destination: destinationInside(target, file.path, this.qualifiedName, "local registry") }));
    for (const { file, destination } of files) {
      let source: string;
      if (file.ref === undefined) source = this.store.objectPath(file.digest);
      else if (file.ref.startsWith("file://")) source = new URL(file.ref).pathname;
      else continue;
      await this.copyVerified(source, destination, file);
    }
    return target;
  }

  private async copyVerified(source: string, destination: string, file: ArtifactFileInfo): Promise<void> {
    mkdirSync(path.dirname(destination), { recursive: true });
    const temp = `${destination}.${randomUUID()}.tmp`;
    let copied;
    try {
      copied = await copyWithDigest(source, temp);
    } catch (error) {
      throw new ArtifactIntegrityError(this.qualifiedName, file.path, `its stored copy cannot be read (${(error as Error).message})`);
    }
    if (copied.digest !== file.digest) {
      await unlink(temp);
      throw new ArtifactIntegrityError(this.qualifiedName, file.path, `MD5 is ${copied.digest}, the manifest says ${file.digest}`);
    }
    await rename(temp, destination);
  }
}

