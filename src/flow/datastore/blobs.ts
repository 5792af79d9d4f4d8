import { createHash, randomUUID } from "node:crypto";
import { createReadStream, createWriteStream, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { mkdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { EncodedSource, EncodedValue } from "../../codecs/index.js";
import { RecentBlobBytes } from "./byte-cache.js";

/** A blob's bytes do not hash to its name: the file was damaged or edited after it was written. */
export class BlobMismatchError extends Error {
  override name = "BlobMismatchError";
  constructor(readonly path: string) {
    super(`The blob ${path} does not match its sha256 (its file name).`);
  }
}

/** Returns `bytes` if they hash to `sha`, else throws BlobMismatchError. */
function checked(bytes: Uint8Array, sha: string, path: string): Uint8Array {
  if (createHash("sha256").update(bytes).digest("hex") !== sha) throw new BlobMismatchError(path);
  return bytes;
}

/** A pass-through stream that fails at its end when what passed does not hash to `sha`. */
function hashCheck(sha: string, path: string): Transform {
  const hash = createHash("sha256");
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      callback(null, chunk);
    },
    flush(callback) {
      callback(hash.digest("hex") === sha ? null : new BlobMismatchError(path));
    },
  });
}

/** A blob written to the store: its content hash and byte count. */
export interface BlobRef {
  sha: string;
  size: number;
}

/**
 * Blobs up to this size are written and read with synchronous calls: each asynchronous file call is
 * a thread-pool round trip, which on a busy machine costs more than moving 64 KiB does.
 */
const SYNC_IO_LIMIT_BYTES = 64 * 1024;

/** Memory for the bytes of recently read small blobs, per flow. */
const RECENT_BYTES_BUDGET = 8 * 1024 * 1024;

/**
 * Content-addressed blobs of one flow: `<dataDir>/<sha[:2]>/<sha>`, named by the sha256 of the
 * bytes, written once (an existing blob is the same content) through a temporary file and a
 * rename, so a blob that exists is always complete.
 *
 * Blobs are stored uncompressed. Measured in bench/cases/store.bench.ts on a typical artifact mix
 * (float array, arquero table, records, metrics): gzip level 1 made writes ~15x slower for ~24%
 * less space; artifacts are mostly numeric and already compact, and tasks wait on every write.
 */
export class BlobStore {
  /** Blobs known to exist (written or seen by this process), so a repeated value costs no stat. */
  private readonly knownBlobs = new Set<string>();
  /** Folders already created, so each write does not mkdir again. */
  private readonly createdDirs = new Set<string>();
  private readonly recentBytes = new RecentBlobBytes(RECENT_BYTES_BUDGET);

  constructor(readonly dataDir: string) {}

  /** Path of the blob with this hash. */
  pathOf(sha: string): string {
    return join(this.dataDir, sha.slice(0, 2), sha);
  }

  /** Stores encoded bytes (in memory or streamed) and returns their hash and size. */
  async put(encoded: EncodedValue): Promise<BlobRef> {
    return "bytes" in encoded ? this.putBytes(encoded.bytes) : this.putStream(encoded.stream());
  }

  /**
   * A source for decoding the blob `sha` of `size` bytes. Its bytes are checked against the sha:
   * `bytes()` before it returns, `stream()` when the stream ends; a mismatch throws BlobMismatchError.
   */
  source(sha: string, size: number): EncodedSource {
    const path = this.pathOf(sha);
    return {
      size,
      sha,
      bytes: async () => (size <= SYNC_IO_LIMIT_BYTES ? this.readSmall(sha, path) : checked(new Uint8Array(await readFile(path)), sha, path)),
      stream: () => {
        const file = createReadStream(path);
        const check = hashCheck(sha, path);
        file.on("error", (error) => check.destroy(error)); // pipe() does not forward errors (e.g. ENOENT)
        return file.pipe(check);
      },
    };
  }

  /**
   * Moves a damaged blob aside to `<dataDir>/.damaged/` (kept for inspection, collected as garbage)
   * and forgets it, so storing the value again writes a good copy instead of deduplicating to it.
   */
  async quarantine(sha: string): Promise<void> {
    this.knownBlobs.delete(sha);
    this.recentBytes.forget(sha);
    const damagedDir = await this.ensureDir(join(this.dataDir, ".damaged"));
    await rename(this.pathOf(sha), join(damagedDir, `${sha}-${randomUUID()}`)).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== "ENOENT") throw error; // another reader moved it first
    });
  }

  /** Whether the blob's stored bytes hash to its name (read as a stream). */
  async matches(sha: string): Promise<boolean> {
    const hash = createHash("sha256");
    await pipeline(createReadStream(this.pathOf(sha)), hash);
    return hash.digest("hex") === sha;
  }

  /** Whether the blob is present. */
  async has(sha: string): Promise<boolean> {
    if (this.knownBlobs.has(sha)) return true;
    const present = await stat(this.pathOf(sha)).then(() => true, () => false);
    if (present) this.knownBlobs.add(sha);
    return present;
  }

  private async putBytes(bytes: Uint8Array): Promise<BlobRef> {
    const sha = createHash("sha256").update(bytes).digest("hex");
    if (bytes.byteLength <= SYNC_IO_LIMIT_BYTES) {
      this.putSmallBytes(sha, bytes);
      return { sha, size: bytes.byteLength };
    }
    if (await this.has(sha)) return { sha, size: bytes.byteLength };
    const temporary = await this.temporaryPath();
    try {
      await writeFile(temporary, bytes);
      await this.moveIntoPlace(temporary, sha);
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
    return { sha, size: bytes.byteLength };
  }

  /** Reads a small blob synchronously, or recalls its bytes from an earlier read. */
  private readSmall(sha: string, path: string): Uint8Array {
    const recalled = this.recentBytes.recall(sha);
    if (recalled) return recalled;
    const bytes = checked(new Uint8Array(readFileSync(path)), sha, path);
    this.recentBytes.remember(sha, new Uint8Array(bytes));
    return bytes;
  }

  /** `putBytes` with synchronous calls, for small blobs. */
  private putSmallBytes(sha: string, bytes: Uint8Array): void {
    if (this.knownBlobs.has(sha)) return;
    const path = this.pathOf(sha);
    if (existsSync(path)) {
      this.knownBlobs.add(sha);
      return;
    }
    const temporary = join(this.ensureDirSync(join(this.dataDir, ".tmp")), randomUUID());
    try {
      writeFileSync(temporary, bytes);
      this.ensureDirSync(join(this.dataDir, sha.slice(0, 2)));
      renameSync(temporary, path); // over an existing blob is harmless: same name, same content
    } catch (error) {
      rmSync(temporary, { force: true });
      throw error;
    }
    this.knownBlobs.add(sha);
  }

  private async putStream(stream: NodeJS.ReadableStream): Promise<BlobRef> {
    const hash = createHash("sha256");
    let size = 0;
    const hashing = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        hash.update(chunk);
        size += chunk.byteLength;
        callback(null, chunk);
      },
    });
    const temporary = await this.temporaryPath();
    try {
      await pipeline(stream, hashing, createWriteStream(temporary));
      const sha = hash.digest("hex");
      await this.moveIntoPlace(temporary, sha);
      return { sha, size };
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
  }

  private async temporaryPath(): Promise<string> {
    return join(await this.ensureDir(join(this.dataDir, ".tmp")), randomUUID());
  }

  private async moveIntoPlace(temporary: string, sha: string): Promise<void> {
    await this.ensureDir(join(this.dataDir, sha.slice(0, 2)));
    // Renaming over an existing blob is harmless: same name means same content.
    await rename(temporary, this.pathOf(sha));
    this.knownBlobs.add(sha);
  }

  private ensureDirSync(dir: string): string {
    if (!this.createdDirs.has(dir)) {
      mkdirSync(dir, { recursive: true });
      this.createdDirs.add(dir);
    }
    return dir;
  }

  private async ensureDir(dir: string): Promise<string> {
    if (!this.createdDirs.has(dir)) {
      await mkdir(dir, { recursive: true });
      this.createdDirs.add(dir);
    }
    return dir;
  }
}
