/**
 * `Artifact`: a draft of a versioned set of files (a dataset, a model…). Add files, directories,
 * files written through a stream, and references; `run.logArtifact` then hashes, stores and commits
 * it. Once logged the draft is frozen, as on W&B.
 */
import { randomUUID } from "node:crypto";
import { createWriteStream, mkdirSync, statSync, type WriteStream } from "node:fs";
import { readdir, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { ArtifactValidationError, validateArtifactName, validateArtifactType, validateEntryPath, validateMetadata } from "./artifact-validation.js";
import { digestFile } from "./file-digest.js";
import type { ObjectStore } from "../offline/object-store.js";

/** Options of `new Artifact`. */
export interface ArtifactOptions {
  description?: string;
  metadata?: Record<string, unknown>;
}

/** A file or reference of a draft. */
type DraftEntry = { kind: "file"; source: string } | { kind: "reference"; ref: string };

/** An entry ready for the manifest: hashed, and for files, stored. */
export interface MaterializedEntry {
  path: string;
  digest: string;
  size: number;
  /** Set for references; entries without it are files in the object store, keyed by `digest`. */
  ref?: string;
}

/** Where a logged artifact ended up. */
export interface LoggedArtifactVersion {
  name: string;
  type: string;
  project: string;
  entity?: string;
  /**
   * `v0`, `v1`, …: who gave the number is `numberedBy`. `run.logArtifact` answers the local
   * registry's number at once; `artifact.wait()` answers the W&B server's once it committed the
   * version (online), which is what W&B shows.
   */
  version: string;
  versionIndex: number;
  /**
   * `server`: the W&B server's number. `local`: the local registry's (offline, or the server was not
   * reached): the server numbers the content when it arrives (`wbflow sync`), and the local registry
   * then learns that number (see docs/wandb-client.md, "Version numbers before and after a sync").
   */
  numberedBy: "local" | "server";
  /** Hex artifact digest. */
  digest: string;
  /** Total bytes of the entries. */
  size: number;
  /**
   * True when identical content was already a version: no new version was created (in the local
   * registry; after `artifact.wait()` online, on the W&B server, which compares with its latest version).
   */
  deduplicated: boolean;
  aliases: string[];
  /** `name:vN`, the exact reference to this version. */
  qualifiedName: string;
}

function isFileBehindLink(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false; // a dangling link
  }
}

/** Raised when a logged (frozen) artifact is changed. */
export class ArtifactFrozenError extends Error {
  constructor(name: string) {
    super(`Artifact '${name}' was already logged and cannot be changed. Create a new Artifact for a new version.`);
    this.name = "ArtifactFrozenError";
  }
}

/** Raised when `artifact.wait()` is called before the artifact was logged. */
export class ArtifactNotLoggedError extends Error {
  constructor(name: string) {
    super(`Artifact '${name}' has not been logged yet, so there is no version to wait for. Call run.logArtifact(artifact) first.`);
    this.name = "ArtifactNotLoggedError";
  }
}

/** A draft artifact version: add files, directories and references, then `run.logArtifact(artifact)`. */
export class Artifact {
  readonly name: string;
  readonly type: string;
  readonly description: string | undefined;
  readonly metadata: Record<string, unknown>;
  /** Set once the artifact is logged (or used) by a run. */
  logged: LoggedArtifactVersion | undefined;
  /** Set with `logged`: how to learn the server's number of the version. */
  private serverNumbered: (() => Promise<LoggedArtifactVersion>) | undefined;

  private readonly entries = new Map<string, DraftEntry>();
  private readonly openWrites: Array<{ name: string; stream: WriteStream; finished: Promise<void> }> = [];
  private scratchDir: string | undefined;

  constructor(name: string, type: string, options: ArtifactOptions = {}) {
    this.name = validateArtifactName(name);
    this.type = validateArtifactType(type, name);
    this.description = options.description;
    this.metadata = { ...(options.metadata ?? {}) };
    validateMetadata(this.metadata);
  }

  /** Paths of the entries added so far. */
  get paths(): string[] {
    return [...this.entries.keys()];
  }

  /** Adds the file at `localPath` as `name` (default: its base name). */
  addFile(localPath: string, options: { name?: string } = {}): void {
    const source = path.resolve(localPath);
    let stats;
    try {
      stats = statSync(source);
    } catch {
      throw new ArtifactValidationError("file", localPath, "it does not exist or cannot be read");
    }
    if (!stats.isFile()) throw new ArtifactValidationError("file", localPath, "it is not a regular file (use addDir for folders)");
    this.add(options.name ?? path.basename(source), { kind: "file", source });
  }

  /** Adds every file under `localDir`, keeping relative paths, under `name/` if given. */
  async addDir(localDir: string, options: { name?: string } = {}): Promise<void> {
    const root = path.resolve(localDir);
    const walk = async (dir: string): Promise<void> => {
      const children = (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name));
      for (const child of children) {
        const full = path.join(dir, child.name);
        if (child.isDirectory()) await walk(full);
        // Symlinked files are added by content; symlinked folders are not entered (no cycles), as W&B does.
        else if (child.isFile() || (child.isSymbolicLink() && isFileBehindLink(full))) {
          const relative = path.relative(root, full).split(path.sep).join("/");
          this.addFile(full, { name: options.name ? `${options.name}/${relative}` : relative });
        }
      }
    };
    try {
      if (!statSync(root).isDirectory()) throw new Error("not a directory");
    } catch {
      throw new ArtifactValidationError("directory", localDir, "it does not exist or is not a directory");
    }
    await walk(root);
  }

  /**
   * Returns a writable stream whose bytes become the entry `name`. End it before logging; logging
   * waits for it to finish.
   */
  newFile(name: string): WriteStream {
    this.assertDraft();
    const entryPath = validateEntryPath(name, this.name);
    this.scratchDir ??= path.join(os.tmpdir(), `wbflow-artifact-${randomUUID()}`);
    const target = path.join(this.scratchDir, ...entryPath.split("/"));
    mkdirSync(path.dirname(target), { recursive: true });
    this.add(entryPath, { kind: "file", source: target });
    const stream = createWriteStream(target);
    const finished = new Promise<void>((resolve, reject) => {
      stream.on("finish", () => resolve());
      stream.on("error", reject);
    });
    finished.catch(() => undefined); // reported when the artifact is logged
    this.openWrites.push({ name: entryPath, stream, finished });
    return stream;
  }

  /**
   * Adds a reference to data kept elsewhere (`s3://`, `https://`, `file://`…). `file://` references
   * are hashed (not copied); others use the URI as their digest.
   */
  addReference(uri: string, options: { name?: string } = {}): void {
    let url: URL;
    try {
      url = new URL(uri);
    } catch {
      throw new ArtifactValidationError("reference", uri, "it is not a URI (e.g. s3://bucket/key, https://host/file, file:///path)");
    }
    const name = options.name ?? decodeURIComponent(url.pathname.split("/").filter(Boolean).pop() ?? url.hostname);
    this.add(name, { kind: "reference", ref: uri });
  }

  /** @internal Hashes and stores every entry (waiting for open `newFile` streams). */
  async materialize(store: ObjectStore): Promise<MaterializedEntry[]> {
    for (const write of this.openWrites) {
      if (!write.stream.writableEnded) {
        throw new ArtifactValidationError("file", write.name, "its newFile() stream is still open; call end() on it before logging");
      }
      await write.finished;
    }
    const result: MaterializedEntry[] = [];
    for (const [entryPath, entry] of this.entries) {
      if (entry.kind === "file") {
        const stored = await store.ingest(entry.source);
        result.push({ path: entryPath, digest: stored.digest, size: stored.size });
      } else if (entry.ref.startsWith("file://")) {
        const { digest, size } = await digestFile(new URL(entry.ref).pathname);
        result.push({ path: entryPath, digest, size, ref: entry.ref });
      } else {
        result.push({ path: entryPath, digest: entry.ref, size: 0, ref: entry.ref });
      }
    }
    return result;
  }

  /**
   * Like W&B's `artifact.wait()`: once the artifact is logged, waits until the W&B server committed
   * the version (online) and resolves it with the server's number (`numberedBy: "server"`), which is
   * what W&B shows. Offline, or when the server did not answer within the run's network bound (30 s),
   * it resolves the local number (`numberedBy: "local"`). The wait is part of what `run.finish()`
   * waits for anyway.
   */
  async wait(): Promise<LoggedArtifactVersion> {
    if (!this.logged) throw new ArtifactNotLoggedError(this.name);
    return this.serverNumbered ? this.serverNumbered() : this.logged;
  }

  /** @internal Freezes the draft after logging and removes `newFile` scratch files. */
  async markLogged(version: LoggedArtifactVersion, serverNumbered?: () => Promise<LoggedArtifactVersion>): Promise<void> {
    this.logged = version;
    this.serverNumbered = serverNumbered;
    if (this.scratchDir) await rm(this.scratchDir, { recursive: true, force: true });
    this.scratchDir = undefined;
  }

  private add(name: string, entry: DraftEntry): void {
    this.assertDraft();
    const entryPath = validateEntryPath(name, this.name);
    if (this.entries.has(entryPath)) {
      throw new ArtifactValidationError("path", entryPath, `artifact '${this.name}' already has an entry at this path`);
    }
    this.entries.set(entryPath, entry);
  }

  private assertDraft(): void {
    if (this.logged) throw new ArtifactFrozenError(this.name);
  }
}
