/**
 * The runs in progress in this process, so that the host the flows run in can stop them all at once
 * without knowing where they were started: the notebook kernel calls {@link interruptActiveRuns} when
 * the user interrupts it (a run started by `await MyFlow.run()` in a cell or by `%flow run` is told),
 * and `wbflow run`/`resume` on the first Ctrl-C. The engine never imports its host: the host calls in.
 *
 * Each run combines its own stop signal with the user's `RunOptions.signal` (either stops it).
 */
import { setMaxListeners } from "node:events";

interface ActiveRun {
  readonly controller: AbortController;
  readonly ended: Promise<void>;
}

const active = new Set<ActiveRun>();

/** A run's registration: the signal that stops it, and `end()` to call once it has ended. */
export interface TrackedRun {
  /** Aborts when the user's signal aborts or when {@link interruptActiveRuns} is called. */
  readonly signal: AbortSignal;
  /** Call once the run has ended (its executor closed): it is no longer interruptible. */
  end(): void;
}

/** Registers a starting run; `userSignal` is the run's own `RunOptions.signal`, if any. */
export function trackRun(userSignal: AbortSignal | undefined): TrackedRun {
  const controller = new AbortController();
  let markEnded!: () => void;
  const run: ActiveRun = { controller, ended: new Promise((resolve) => (markEnded = resolve)) };
  active.add(run);
  const signal = userSignal ? AbortSignal.any([userSignal, controller.signal]) : controller.signal;
  // Every attempt running on a worker executor listens to it: no "possible leak" warning past 10.
  setMaxListeners(0, signal);
  return {
    signal,
    end() {
      active.delete(run);
      markEnded();
    },
  };
}

/** How many runs are in progress in this process. */
export function activeRunCount(): number {
  return active.size;
}

/**
 * Interrupts every run in progress in this process, as its `signal` aborting would: no task starts
 * any more, attempts running in worker processes are ended, attempts running in-process finish, and
 * each run ends as interrupted (its finished tasks saved for `resume`). Resolves once they have all
 * ended; with no run in progress, at once.
 */
export function interruptActiveRuns(reason: unknown = new Error("The run was interrupted.")): Promise<void> {
  const runs = [...active];
  for (const run of runs) run.controller.abort(reason);
  return Promise.all(runs.map((run) => run.ended)).then(() => undefined);
}
