/**
 * The version numbers a server gave a run's produced artifacts, by the client id of each version's
 * record, with waiters: a step that logged a version can wait for the server's number (as W&B's
 * `artifact.wait()` does) instead of showing the local registry's. Once the sender stops (server
 * gone, or run closed) every waiter gets undefined: the version keeps its local number.
 */
export class VersionNumbers {
  private readonly known = new Map<string, number | undefined>();
  private readonly waiting = new Map<string, Array<(n: number | undefined) => void>>();
  private stopped = false;

  /** The number for `clientId`: now if known, else when it is settled (undefined once the sender stopped). */
  of(clientId: string, senderStopped: boolean): Promise<number | undefined> {
    if (this.known.has(clientId)) return Promise.resolve(this.known.get(clientId));
    if (senderStopped || this.stopped) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const list = this.waiting.get(clientId) ?? [];
      list.push(resolve);
      this.waiting.set(clientId, list);
    });
  }

  /** Records the server's answer for `clientId` (undefined: it gave none) and wakes its waiters. */
  settle(clientId: string, serverNumber: number | undefined): void {
    this.known.set(clientId, serverNumber);
    for (const resolve of this.waiting.get(clientId) ?? []) resolve(serverNumber);
    this.waiting.delete(clientId);
  }

  /** The sender stopped: no more answers will come, so every waiter gets undefined. */
  giveUp(): void {
    this.stopped = true;
    for (const list of this.waiting.values()) for (const resolve of list) resolve(undefined);
    this.waiting.clear();
  }
}
