/**
 * The version numbers a server gave a run's produced artifacts, by the client id of each version's
 * record, with waiters: a step that logged a version can wait for the server's number (as W&B's
 * `artifact.wait()` does) instead of showing the local registry's. Once the sender stops (server
 * gone, or run closed) every waiter gets undefined: the version keeps its local number.
 */
/** What the server answered for one version: its number, and whether it already had that content. */
export interface ServerNumbering {
  versionIndex: number;
  /** True when the server made no new version (it had the same content as its latest). */
  deduplicated: boolean;
}

export class VersionNumbers {
  private readonly known = new Map<string, ServerNumbering | undefined>();
  private readonly waiting = new Map<string, Array<(n: ServerNumbering | undefined) => void>>();
  private stopped = false;

  /** The number for `clientId`: now if known, else when it is settled (undefined once the sender stopped). */
  of(clientId: string, senderStopped: boolean): Promise<ServerNumbering | undefined> {
    if (this.known.has(clientId)) return Promise.resolve(this.known.get(clientId));
    if (senderStopped || this.stopped) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const list = this.waiting.get(clientId) ?? [];
      list.push(resolve);
      this.waiting.set(clientId, list);
    });
  }

  /** Records the server's answer for `clientId` (undefined: it gave none) and wakes its waiters. */
  settle(clientId: string, numbering: ServerNumbering | undefined): void {
    this.known.set(clientId, numbering);
    for (const resolve of this.waiting.get(clientId) ?? []) resolve(numbering);
    this.waiting.delete(clientId);
  }

  /** The sender stopped: no more answers will come, so every waiter gets undefined. */
  giveUp(): void {
    this.stopped = true;
    for (const list of this.waiting.values()) for (const resolve of list) resolve(undefined);
    this.waiting.clear();
  }
}
