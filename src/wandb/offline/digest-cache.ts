/**
 * Remembers the MD5 of files already hashed, keyed by absolute path, size, modification time (ns)
 * and inode, so logging an unchanged file again does not read it. Kept in memory and in an
 * append-only JSON-lines file, so it survives kernel restarts; a changed file simply misses.
 */
import { appendFileSync, readFileSync } from "node:fs";
import type { BigIntStats } from "node:fs";

export interface CachedDigest {
  digest: string;
  size: number;
}

function keyOf(absolutePath: string, stats: BigIntStats): string {
  return `${absolutePath}\u0000${stats.size}\u0000${stats.mtimeNs}\u0000${stats.ino}`;
}

export class DigestCache {
  private readonly entries = new Map<string, CachedDigest>();

  constructor(private readonly file: string) {
    let text = "";
    try {
      text = readFileSync(file, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    }
    for (const line of text.split("\n")) {
      if (line.trim() === "") continue;
      try {
        const { key, digest, size } = JSON.parse(line) as { key: string } & CachedDigest;
        this.entries.set(key, { digest, size });
      } catch {
        // A line torn by a crash mid-append: that file will just be hashed again.
      }
    }
  }

  get(absolutePath: string, stats: BigIntStats): CachedDigest | undefined {
    return this.entries.get(keyOf(absolutePath, stats));
  }

  set(absolutePath: string, stats: BigIntStats, value: CachedDigest): void {
    const key = keyOf(absolutePath, stats);
    this.entries.set(key, value);
    appendFileSync(this.file, JSON.stringify({ key, ...value }) + "\n");
  }
}
