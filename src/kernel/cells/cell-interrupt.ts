/**
 * The kernel's interrupt (the notebook's stop button; Jupyter sends the kernel SIGINT): flows first,
 * then the cell.
 *
 * Every flow run in progress in the kernel is interrupted (`interruptActiveRuns`): no task starts any
 * more, tasks running in worker processes are ended, tasks running in-process finish. A cell awaiting
 * a run (`await MyFlow.run()`, `%flow run`) then ends with the run's own error, which names the run
 * and says how to resume it. A cell still running once the runs have ended — or
 * {@link RUN_STOP_GRACE_MS} after the interrupt, e.g. while an in-process step keeps awaiting — is
 * interrupted: its TypeScript the way tslab does it (its await rejects with "Interrupted
 * asynchronously"), its magic by no longer waiting for it ({@link CellInterruptedError}); so is a
 * cell on a second interrupt. With no run in progress, only TypeScript is interrupted, as before.
 */
import { activeRunCount, interruptActiveRuns } from "../../flow/runtime/active-runs.js";

/** How long a cell may keep running after its flows were interrupted before the cell itself is. */
export const RUN_STOP_GRACE_MS = 3000;

/** A magic the cell stopped waiting for after an interrupt (what it started may still be finishing). */
export class CellInterruptedError extends Error {
  override name = "CellInterruptedError";
  /** Shown without a stack: the message is the whole story. */
  readonly userFacing = true;
}

/** What an interrupt acts on: the cell executor's running cell. */
export interface InterruptTarget {
  /** The cell running TypeScript or a magic (its execution count), if any. */
  runningCell(): number | undefined;
  /** Interrupts the TypeScript tslab runs (rejects its pending await). */
  interruptCode(): void;
  /** Stops waiting for the magic that runs: the cell ends with `error`. */
  stopWaitingForMagic(error: CellInterruptedError): void;
}

/** Carries out interrupts for a cell executor. */
export class CellInterrupt {
  private waiting = false;

  constructor(
    private readonly target: InterruptTarget,
    private readonly graceMs: number = RUN_STOP_GRACE_MS,
  ) {}

  /** Interrupts the flows in progress, then (if still running) the cell; see the file's comment. */
  interrupt(): void {
    if (this.waiting) return this.interruptCell();
    if (activeRunCount() === 0) return this.target.interruptCode();
    this.waiting = true;
    const cell = this.target.runningCell();
    const ended = interruptActiveRuns(new Error("The kernel was interrupted."));
    const grace = new Promise<void>((resolve) => setTimeout(resolve, this.graceMs).unref());
    void Promise.race([ended, grace]).then(() =>
      // After the runs' errors have reached the cells awaiting them (pending callbacks run first).
      setImmediate(() => {
        this.waiting = false;
        if (cell !== undefined && this.target.runningCell() === cell) this.interruptCell();
      }),
    );
  }

  private interruptCell(): void {
    this.target.interruptCode();
    this.target.stopWaitingForMagic(
      new CellInterruptedError(
        "Interrupted: the cell stopped waiting. The flow runs in progress were told to stop (no new task starts); " +
          "steps still running in this kernel end in the background, and the run's live display says when it has ended.",
      ),
    );
  }
}
