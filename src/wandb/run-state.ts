/**
 * Runs left open when the process ends are finished as failed (exit code 1), as a W&B run whose
 * process died without `finish()` ends up. `beforeExit` finishes them normally (all sinks); on
 * `exit` (e.g. `process.exit()`), only synchronous work is possible, so the offline log alone is closed.
 */

/** What the exit hook needs from a run. */
export interface ClosableAtExit {
  finish(exitCode: number): Promise<unknown>;
  /** Completes the offline log synchronously with this exit code. */
  finishOfflineSync(exitCode: number): void;
}

const openRuns = new Set<ClosableAtExit>();
let hooked = false;

function hook(): void {
  if (hooked) return;
  hooked = true;
  process.on("beforeExit", () => {
    for (const run of [...openRuns]) void run.finish(1).catch(() => undefined);
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
