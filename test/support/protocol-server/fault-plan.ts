/**
 * Fault injection for the protocol test server: tests queue faults that hit the next matching
 * requests, to prove the client ends with the same server state whatever goes wrong in transit.
 */

/** Which endpoint a request reached. */
export type Route = "graphql" | "file_stream" | "upload" | "download";

/** What goes wrong. */
export type Fault =
  /** Answer 500 without doing anything. */
  | { kind: "status"; status: number }
  /** Answer 429 with `Retry-After: <seconds>` without doing anything. */
  | { kind: "rate-limit"; retryAfterSeconds: number }
  /** Destroy the connection before doing anything. */
  | { kind: "reset" }
  /** Wait `delayMs` before handling the request normally. */
  | { kind: "slow"; delayMs: number }
  /** Wait until `release` settles, then handle the request normally (orders requests without timing). */
  | { kind: "held"; release: Promise<void> }
  /** Do the work, then destroy the connection instead of answering: the response is lost. */
  | { kind: "lost-response" };

/** Selects the requests a fault applies to. */
export interface FaultMatch {
  route: Route;
  /** For GraphQL: only this operation name. */
  operationName?: string;
}

interface QueuedFault {
  match: FaultMatch;
  fault: Fault;
  remaining: number;
}

/** A queue of faults; each request takes at most one. */
export class FaultPlan {
  private readonly queue: QueuedFault[] = [];
  /** Every fault that fired, in order, for assertions. */
  readonly fired: Array<{ route: Route; operationName: string | undefined; fault: Fault }> = [];

  /** Injects `fault` into the next `times` requests matching `match`. */
  inject(match: FaultMatch, fault: Fault, times = 1): void {
    this.queue.push({ match, fault, remaining: times });
  }

  /** Removes every queued fault. */
  clear(): void {
    this.queue.length = 0;
  }

  /** Takes the fault for this request, if one is queued for it. */
  take(route: Route, operationName: string | undefined): Fault | undefined {
    const entry = this.queue.find(
      (q) =>
        q.remaining > 0 &&
        q.match.route === route &&
        (q.match.operationName === undefined || q.match.operationName === operationName),
    );
    if (!entry) return undefined;
    entry.remaining -= 1;
    this.fired.push({ route, operationName, fault: entry.fault });
    return entry.fault;
  }

  /** Faults still queued (tests assert this is 0 to know every fault fired). */
  get pending(): number {
    return this.queue.reduce((sum, q) => sum + q.remaining, 0);
  }
}
