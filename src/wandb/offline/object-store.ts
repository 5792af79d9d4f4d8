/**
 * Content-addressed, read-only copies of artifact files: `<root>/md5/<hex[0:2]>/<hex[2:]>`. Ingesting
 * a file reads it once, hashing and copying in the same pass, then renames the copy into place; a
 * file whose (path, size, mtime, inode) was seen before and whose object exists is not read at all.
 * Objects are immutable, so later edits of the user's files never change a logged version.
 */
import { randomUUID } from "node:crypto";
import { existsSync, mkdirSync } from "node:fs";
import { chmod, rename, stat, unlink } from "node:fs/promises";
import path from "node:path";
import { copyWithDigest } from "../artifacts/copy-with-digest.js";
import { base64DigestToHex } from "../artifacts/file-digest.js";
import { DigestCache } from "./digest-cache.js";

/** Raised when an artifact source file cannot be read. */
export class ArtifactSourceError extends Error {
  constructor(file: string, cause: unknown) {
    super(`Cannot read artifact file ${file}: ${(cause as Error).message}. Check that it exists and is readable.`, { cause });
    this.name = "ArtifactSourceError";
  }
}

/** A file in the store. */
export interface StoredObject {
  digest: string;
  size: number;
  /** Path of the immutable copy. */
  objectPath: string;
  /** False when the file was recognised and nothing was read or copied. */
  copied: boolean;
}

const stores = new Map<string, ObjectStore>();

export class ObjectStore {
  private readonly cache: DigestCache;
  private readonly tempDir: string;

  private constructor(readonly root: string) {
    this.tempDir = path.join(root, "tmp"); // created by the first ingest: readers never write
    this.cache = new DigestCache(path.join(root, "digest-cache.jsonl"));
  }

  /** The store rooted at `root` (one instance per root per process, sharing its digest cache). */
  static at(root: string): ObjectStore {
    const resolved = path.resolve(root);
    let store = stores.get(resolved);
    if (!store) {
      store = new ObjectStore(resolved);
      stores.set(resolved, store);
    }
    return store;
  }

  /** Where the object with base64 MD5 `digest` lives. */
  objectPath(digest: string): string {
    const hex = base64DigestToHex(digest);
    return path.join(this.root, "md5", hex.slice(0, 2), hex.slice(2));
  }

  has(digest: string): boolean {
    return existsSync(this.objectPath(digest));
  }

  /** Copies `source` into the store (unless already there) and returns its digest and object path. */
  async ingest(source: string): Promise<StoredObject> {
    const absolute = path.resolve(source);
    let before;
    try {
      before = await stat(absolute, { bigint: true });
    } catch (error) {
      throw new ArtifactSourceError(absolute, error);
    }
    const cached = this.cache.get(absolute, before);
    if (cached && this.has(cached.digest)) return { ...cached, objectPath: this.objectPath(cached.digest), copied: false };

    mkdirSync(this.tempDir, { recursive: true });
    const temp = path.join(this.tempDir, randomUUID());
    let result;
    try {
      result = await copyWithDigest(absolute, temp);
    } catch (error) {
      throw new ArtifactSourceError(absolute, error);
    }
    const objectPath = this.objectPath(result.digest);
    if (existsSync(objectPath)) {
      await unlink(temp);
    } else {
      mkdirSync(path.dirname(objectPath), { recursive: true });
      await chmod(temp, 0o444);
      await rename(temp, objectPath);
    }
    // Only remember the digest if the file did not change while it was read.
    const after = await stat(absolute, { bigint: true });
    if (after.size === before.size && after.mtimeNs === before.mtimeNs && after.ino === before.ino) {
      this.cache.set(absolute, before, result);
    }
    return { ...result, objectPath, copied: true };
  }
}
