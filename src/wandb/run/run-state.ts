/**
 * Runs left open when the process ends are finished as failed (exit code 1), as a W&B run whose
 * process died without `finish()` ends up; versions they held for their finish are not published.
 * `beforeExit` finishes them normally (all sinks); on `exit` (e.g. `process.exit()`), only
 * synchronous work is possible, so the offline log alone is closed.
 */

/** What the exit hook needs from a run. */
export interface ClosableAtExit {
  finish(exitCode: number, options: { heldOutputs: "discard" }): Promise<unknown>;
  /** Completes the offline log synchronously with this exit code. */
  finishOfflineSync(exitCode: number): void;
}

const openRuns = new Set<ClosableAtExit>();
let hooked = false;

function hook(): void {
  if (hooked) return;
  hooked = true;
  process.on("beforeExit", () => {
    for (const run of [...openRuns]) void run.finish(1, { heldOutputs: "discard" }).catch(() => undefined);
  });
  process.on("exit", () => {
    for (const run of [...openRuns]) run.finishOfflineSync(1);
  });
}

export function trackOpenRun(run: ClosableAtExit): void {
  hook();
  openRuns.add(run);
}

export function untrackRun(run: ClosableAtExit): void {
  openRuns.delete(run);
}

/** What `%wandb` (no path) needs to know about the run started last in this process. */
export interface RecentRun {
  readonly id: string;
  readonly project: string;
  readonly mode: "online" | "offline" | "disabled";
  /** The run directory (`…/wandb/offline-run-…-<id>` or `run-…`). */
  readonly dir: string;
  /** The run's page once an online sink created it; undefined offline. */
  readonly url: string | undefined;
}

// Kept on globalThis: notebook code may load this package through another module instance
// (e.g. `require` from compiled cells) than the kernel's magics, and both must see the same run.
const RECENT_RUN = Symbol.for("wbflow.wandb.recentRun");
const recentRunHolder = globalThis as { [RECENT_RUN]?: RecentRun };

/** Remembers `run` as the most recently started run of this process. */
export function noteStartedRun(run: RecentRun): void {
  recentRunHolder[RECENT_RUN] = run;
}

/** The run started last in this process (finished or not), if any. */
export function mostRecentRun(): RecentRun | undefined {
  return recentRunHolder[RECENT_RUN];
}
