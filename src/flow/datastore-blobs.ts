import { createHash, randomUUID } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { EncodedSource, EncodedValue } from "../codecs/index.js";

/** A blob written to the store: its content hash and byte count. */
export interface BlobRef {
  sha: string;
  size: number;
}

/**
 * Content-addressed blobs of one flow: `<dataDir>/<sha[:2]>/<sha>`, named by the sha256 of the
 * bytes, written once (an existing blob is the same content) through a temporary file and a
 * rename, so a blob that exists is always complete. Blobs are stored uncompressed: see
 * bench/cases/store.bench.ts for the measurement behind that choice.
 */
export class BlobStore {
  constructor(readonly dataDir: string) {}

  /** Path of the blob with this hash. */
  pathOf(sha: string): string {
    return join(this.dataDir, sha.slice(0, 2), sha);
  }

  /** Stores encoded bytes (in memory or streamed) and returns their hash and size. */
  async put(encoded: EncodedValue): Promise<BlobRef> {
    return "bytes" in encoded ? this.putBytes(encoded.bytes) : this.putStream(encoded.stream());
  }

  /** A source for decoding the blob `sha` of `size` bytes. */
  source(sha: string, size: number): EncodedSource {
    const path = this.pathOf(sha);
    return {
      size,
      sha,
      bytes: async () => new Uint8Array(await readFile(path)),
      stream: () => createReadStream(path),
    };
  }

  /** Whether the blob is present (used to report a damaged store clearly). */
  async has(sha: string): Promise<boolean> {
    return stat(this.pathOf(sha)).then(() => true, () => false);
  }

  private async putBytes(bytes: Uint8Array): Promise<BlobRef> {
    const sha = createHash("sha256").update(bytes).digest("hex");
    const target = this.pathOf(sha);
    if (await this.has(sha)) return { sha, size: bytes.byteLength };
    const temporary = await this.temporaryPath();
    try {
      await writeFile(temporary, bytes);
      await this.moveIntoPlace(temporary, target);
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
    return { sha, size: bytes.byteLength };
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
      await this.moveIntoPlace(temporary, this.pathOf(sha));
      return { sha, size };
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
  }

  private async temporaryPath(): Promise<string> {
    const directory = join(this.dataDir, ".tmp");
    await mkdir(directory, { recursive: true });
    return join(directory, randomUUID());
  }

  private async moveIntoPlace(temporary: string, target: string): Promise<void> {
    await mkdir(join(target, ".."), { recursive: true });
    // Renaming over an existing blob is harmless: same name means same content.
    await rename(temporary, target);
  }
}
