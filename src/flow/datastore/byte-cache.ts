/**
 * The bytes of recently read small blobs, by sha, up to a byte budget (least recently used first
 * out). A value is often read by many tasks (a foreach list by every split), so only the first read
 * of a small blob touches the file.
 */
export class RecentBlobBytes {
  private readonly entries = new Map<string, Uint8Array>();
  private bytes = 0;

  constructor(private readonly budgetBytes: number) {}

  /** Remembers a blob's bytes; the caller must not change them afterwards. */
  remember(sha: string, bytes: Uint8Array): void {
    if (bytes.byteLength > this.budgetBytes || this.entries.has(sha)) return;
    this.entries.set(sha, bytes);
    this.bytes += bytes.byteLength;
    for (const [oldest, old] of this.entries) {
      if (this.bytes <= this.budgetBytes) break;
      this.entries.delete(oldest);
      this.bytes -= old.byteLength;
    }
  }

  /** Drops a blob's bytes (it was found damaged on disk). */
  forget(sha: string): void {
    const bytes = this.entries.get(sha);
    if (!bytes) return;
    this.entries.delete(sha);
    this.bytes -= bytes.byteLength;
  }

  /** A copy of the remembered bytes (decoders may keep views of what they get), or undefined. */
  recall(sha: string): Uint8Array | undefined {
    const bytes = this.entries.get(sha);
    if (!bytes) return undefined;
    this.entries.delete(sha); // most recently used goes last
    this.entries.set(sha, bytes);
    return new Uint8Array(bytes);
  }

}
