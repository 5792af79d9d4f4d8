/**
 * The local artifact registry: what W&B's server keeps about artifacts, kept on disk for offline use.
 *
 * Layout under `<wandb_dir>/artifacts/registry/<project>/<name>/`:
 *   collection.json     name and type (the first logged type wins, as on W&B)
 *   versions/v<N>.json  one committed version: digest, manifest, metadata, producer run
 *   aliases.json        alias → version number (`latest` included)
 *   uses.jsonl          append-only: which run used which version (lineage input edges)
 *   server-versions.json  digest → the number the W&B server gave that content (learned on upload)
 *   .lock               held while committing or moving aliases
 *
 * Commits run under the collection lock, and each version file is published with an exclusive
 * hard link, so two processes logging at once get consecutive, unique versions and lose nothing.
 * Version and alias files are sealed and checked on every read (`registry-files.ts`). A damaged file
 * never stops logging: a damaged version keeps its number and is skipped, a damaged alias or
 * collection file is moved aside and rebuilt; each says so in one line. Reading a damaged version
 * fails with `RegistryFileError`, which names the file.
 */
import { randomUUID } from "node:crypto";
import { existsSync, mkdirSync } from "node:fs";
import { appendFile, link, readFile, rename, unlink, writeFile } from "node:fs/promises";
import path from "node:path";
import type { ManifestV1Json } from "../artifacts/artifact-digest.js";
import { put } from "../run/key-value-tree.js";
import { writeFileAtomicSync } from "../../core/atomic-write.js";
import { withLockFile } from "./lock-file.js";
import {
  aliasesFileText,
  readAliasesFile,
  readServerVersionsFile,
  readVersionFile,
  RegistryFileError,
  serverVersionsFileText,
  versionFileText,
  type ServerVersions,
} from "./registry-files.js";

/** A run, as registry lineage refers to it. */
export interface RunRef {
  runId: string;
  project: string;
  entity?: string;
}

/** One committed version as stored. */
export interface StoredVersion {
  name: string;
  type: string;
  project: string;
  entity?: string;
  /** 0, 1, 2… in commit order. */
  version: number;
  digest: string;
  size: number;
  description?: string;
  metadata: Record<string, unknown>;
  manifest: ManifestV1Json;
  /** ISO time of the commit. */
  createdAt: string;
  /** The run that logged it (absent for user-created versions, and while only pending). */
  producer?: RunRef;
  /**
   * A run that logged it but publishes it only when it finishes (`publishAtFinish`): not its producer
   * until then. A run killed first never becomes one; the next run to publish the content does.
   */
  pendingProducer?: RunRef;
  clientId: string;
}

/** What a commit asks for. */
export type VersionDraft = Omit<StoredVersion, "version" | "createdAt"> & { aliases: string[] };

export interface CommitResult {
  version: StoredVersion;
  /** True when a version with the same digest existed: nothing new was created. */
  deduplicated: boolean;
  aliases: string[];
}

/** Raised when an artifact or version asked for is not in the registry. */
export class ArtifactNotFoundError extends Error {
  constructor(what: string, where: string) {
    super(`Artifact ${what} was not found in the local registry ${where}. Check the name and alias (e.g. 'name:latest' or 'name:v0').`);
    this.name = "ArtifactNotFoundError";
  }
}

/** Raised when a name is logged with a different type than its collection has. */
export class ArtifactTypeConflictError extends Error {
  constructor(name: string, existing: string, requested: string) {
    super(`Artifact '${name}' already exists with type '${existing}'; it cannot be logged as type '${requested}'. Use another name.`);
    this.name = "ArtifactTypeConflictError";
  }
}

async function readCollection(file: string): Promise<{ name: string; type: string } | undefined> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  try {
    const value = JSON.parse(text) as { name?: unknown; type?: unknown };
    if (typeof value.name === "string" && typeof value.type === "string") return { name: value.name, type: value.type };
  } catch {
    // reported below
  }
  throw new RegistryFileError(file, "it does not hold the collection's name and type");
}

export class ArtifactRegistry {
  constructor(
    readonly root: string,
    private readonly now: () => number = Date.now,
    /** Where the one-line notices about damaged files go. */
    private readonly warn: (line: string) => void = (line) => console.error(line),
  ) {}

  private collectionDir(project: string, name: string): string {
    return path.join(this.root, project, name);
  }

  /** Commits a version (or finds the existing one with the same digest) and moves the requested aliases to it. */
  async commit(draft: VersionDraft): Promise<CommitResult> {
    const dir = this.collectionDir(draft.project, draft.name);
    mkdirSync(path.join(dir, "versions"), { recursive: true });
    return withLockFile(path.join(dir, ".lock"), async () => {
      const collectionFile = path.join(dir, "collection.json");
      const collection = await readCollection(collectionFile).catch((error) => this.setAside(error));
      if (collection && collection.type !== draft.type) throw new ArtifactTypeConflictError(draft.name, collection.type, draft.type);
      if (!collection) writeFileAtomicSync(collectionFile, JSON.stringify({ name: draft.name, type: draft.type }));
      const { versions, next } = await this.scanVersions(dir, true);
      let stored = versions.find((v) => v.digest === draft.digest);
      const deduplicated = stored !== undefined;
      if (!stored) {
        const { aliases: _aliases, ...fields } = draft;
        stored = { ...fields, version: next, createdAt: new Date(this.now()).toISOString() };
        await this.publishVersion(dir, stored);
      } else if (draft.producer) {
        stored = this.settleProducer(dir, stored, draft.producer);
      }
      const aliases = await this.moveAliases(dir, stored.version, draft.aliases);
      return { version: stored, deduplicated, aliases };
    });
  }

  /**
   * Resolves `alias` (`latest`, a custom alias, or `vN`) to a version. `vN` means what it means on
   * the W&B server once a version was uploaded: the version the server numbered N, else a local
   * version N that has no server number yet.
   */
  async resolve(project: string, name: string, alias: string): Promise<StoredVersion> {
    const dir = this.collectionDir(project, name);
    let number: number | undefined;
    const match = /^v(\d+)$/.exec(alias);
    if (match) number = await this.localNumberOf(project, name, Number(match[1]));
    else {
      const aliases = await readAliasesFile(path.join(dir, "aliases.json"));
      number = Object.hasOwn(aliases, alias) ? aliases[alias] : undefined;
    }
    const version = number === undefined ? undefined : await readVersionFile(path.join(dir, "versions", `v${number}.json`), number);
    if (!version) throw new ArtifactNotFoundError(`'${name}:${alias}' of project '${project}'`, this.root);
    return version;
  }

  /** The version this registry numbered `localNumber` (its own commit order), whatever the server calls it. */
  async resolveLocal(project: string, name: string, localNumber: number): Promise<StoredVersion> {
    const version = await readVersionFile(path.join(this.collectionDir(project, name), "versions", `v${localNumber}.json`), localNumber);
    if (!version) throw new ArtifactNotFoundError(`'${name}' local version ${localNumber} of project '${project}'`, this.root);
    return version;
  }

  /**
   * The versions with these digests (the identity of a version, whatever its number), read in one
   * pass over the collection; digests it lacks are missing from the map.
   */
  async resolveDigests(project: string, name: string, digests: Iterable<string>): Promise<Map<string, StoredVersion>> {
    const wanted = new Set(digests);
    const found = new Map<string, StoredVersion>();
    if (!existsSync(this.collectionDir(project, name))) return found;
    for (const version of await this.versions(project, name)) if (wanted.has(version.digest)) found.set(version.digest, version);
    return found;
  }

  /** Every readable version of a collection, in order (a damaged one is skipped with a notice). */
  async versions(project: string, name: string): Promise<StoredVersion[]> {
    return (await this.scanVersions(this.collectionDir(project, name), false)).versions;
  }

  /** The aliases currently pointing at local `version`, with its `vN` (the server's number once known). */
  async aliasesOf(project: string, name: string, version: number, shownNumber: number = version): Promise<string[]> {
    const map = await readAliasesFile(path.join(this.collectionDir(project, name), "aliases.json"));
    return [`v${shownNumber}`, ...Object.entries(map).filter(([, v]) => v === version).map(([alias]) => alias)];
  }

  /** The newest version number the W&B server gave each content, by digest (learned when versions were uploaded). */
  async serverNumbers(project: string, name: string): Promise<Record<string, number>> {
    return (await this.serverVersions(project, name)).byDigest;
  }

  /** Every number the W&B server gave each content (newest, and earlier ones of content logged again). */
  async serverVersions(project: string, name: string): Promise<ServerVersions> {
    return readServerVersionsFile(path.join(this.collectionDir(project, name), "server-versions.json"));
  }

  /** Records that the server numbered the content `digest` as version `serverNumber` (the newest number is shown). */
  async learnServerNumber(project: string, name: string, digest: string, serverNumber: number): Promise<void> {
    const dir = this.collectionDir(project, name);
    if (!existsSync(dir)) return; // logged elsewhere: nothing local to renumber
    await withLockFile(path.join(dir, ".lock"), async () => {
      const file = path.join(dir, "server-versions.json");
      const known = (await readServerVersionsFile(file).catch((error) => this.setAside(error))) ?? { byDigest: {}, earlier: {} };
      const newest = known.byDigest[digest];
      if (newest === serverNumber || known.earlier[digest]?.includes(serverNumber)) return;
      known.byDigest[digest] = Math.max(newest ?? serverNumber, serverNumber);
      if (newest !== undefined) {
        known.earlier[digest] = [...(known.earlier[digest] ?? []), Math.min(newest, serverNumber)].sort((a, b) => a - b);
      }
      writeFileAtomicSync(file, serverVersionsFileText(known));
    });
  }

  /** The local number `vN` names: the version the server numbered N, else local N when it has no server number. */
  private async localNumberOf(project: string, name: string, n: number): Promise<number | undefined> {
    const server = await this.serverVersions(project, name);
    if (Object.keys(server.byDigest).length === 0) return n;
    const versions = await this.versions(project, name);
    const byServer = versions.find((v) => server.byDigest[v.digest] === n || server.earlier[v.digest]?.includes(n));
    if (byServer) return byServer.version;
    const local = versions.find((v) => v.version === n);
    return local && server.byDigest[local.digest] === undefined ? n : undefined;
  }

  /**
   * `run` published local version `version` (it logged it with `publishAtFinish` and finished): it
   * becomes the producer, unless the version already has one (the first to publish keeps it, as on W&B).
   */
  async confirmProducer(project: string, name: string, version: number, run: RunRef): Promise<void> {
    const dir = this.collectionDir(project, name);
    await withLockFile(path.join(dir, ".lock"), async () => {
      const stored = await readVersionFile(path.join(dir, "versions", `v${version}.json`), version);
      if (stored) this.settleProducer(dir, stored, run);
    });
  }

  /** A version with only a pending producer gets `producer` (under the collection lock); others stay as they are. */
  private settleProducer(dir: string, stored: StoredVersion, producer: RunRef): StoredVersion {
    if (stored.producer || !stored.pendingProducer) return stored;
    const { pendingProducer: _pending, ...fields } = stored;
    const settled = { ...fields, producer };
    writeFileAtomicSync(path.join(dir, "versions", `v${stored.version}.json`), versionFileText(settled));
    return settled;
  }

  /** Records that `consumer` used `version` (append-only; repeated uses are kept once when read). */
  async recordUse(project: string, name: string, version: number, consumer: RunRef): Promise<void> {
    const line = JSON.stringify({ version, ...consumer, at: new Date(this.now()).toISOString() }) + "\n";
    await appendFile(path.join(this.collectionDir(project, name), "uses.jsonl"), line);
  }

  /** The runs that used `version`, each once, in first-use order. */
  async consumers(project: string, name: string, version: number): Promise<RunRef[]> {
    let text = "";
    try {
      text = await readFile(path.join(this.collectionDir(project, name), "uses.jsonl"), "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    }
    const seen = new Map<string, RunRef>();
    for (const line of text.split("\n")) {
      if (!line.trim()) continue;
      let use: RunRef & { version: number };
      try {
        use = JSON.parse(line) as RunRef & { version: number };
      } catch {
        continue; // a line torn by a crash mid-append
      }
      const key = `${use.entity ?? ""}/${use.project}/${use.runId}`;
      if (use.version === version && !seen.has(key)) {
        seen.set(key, { runId: use.runId, project: use.project, ...(use.entity ? { entity: use.entity } : {}) });
      }
    }
    return [...seen.values()];
  }

  /**
   * The readable versions in order and the next free number. A damaged version file keeps its number
   * (its slot stays taken) and is left out, with a notice when `committing`.
   */
  private async scanVersions(dir: string, committing: boolean): Promise<{ versions: StoredVersion[]; next: number }> {
    const versions: StoredVersion[] = [];
    for (let n = 0; ; n++) {
      let version: StoredVersion | undefined;
      try {
        version = await readVersionFile(path.join(dir, "versions", `v${n}.json`), n);
      } catch (error) {
        if (!(error instanceof RegistryFileError)) throw error;
        if (committing) this.warn(`wandb: registry file ${error.file} is damaged (${error.problem}); version v${n} is skipped and new versions get later numbers. Move the file aside to silence this.`);
        continue;
      }
      if (!version) return { versions, next: n };
      versions.push(version);
    }
  }

  /** Moves a damaged file aside (kept, never deleted) so it can be rebuilt, and says so. */
  private async setAside(error: unknown): Promise<undefined> {
    if (!(error instanceof RegistryFileError)) throw error;
    const aside = `${error.file}.damaged-${this.now()}`;
    await rename(error.file, aside);
    this.warn(`wandb: registry file ${error.file} was damaged (${error.problem}); it was moved to ${aside} and rebuilt from this commit.`);
    return undefined;
  }

  /** Writes the version file beside its slot, then links it in: the link fails if the slot is taken. */
  private async publishVersion(dir: string, version: StoredVersion): Promise<void> {
    const slot = path.join(dir, "versions", `v${version.version}.json`);
    const temp = `${slot}.${randomUUID()}.tmp`;
    await writeFile(temp, versionFileText(version));
    try {
      await link(temp, slot);
    } finally {
      await unlink(temp);
    }
  }

  private async moveAliases(dir: string, version: number, requested: string[]): Promise<string[]> {
    const file = path.join(dir, "aliases.json");
    const map = (await readAliasesFile(file).catch((error) => this.setAside(error))) ?? {};
    for (const alias of requested) put(map, alias, version);
    writeFileAtomicSync(file, aliasesFileText(map));
    return [`v${version}`, ...Object.entries(map).filter(([, v]) => v === version).map(([alias]) => alias)];
  }
}
