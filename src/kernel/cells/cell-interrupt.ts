/**
 * The kernel's interrupt (the notebook's stop button; Jupyter sends the kernel SIGINT): flows first,
 * then the cell.
 *
 * Every flow run in progress in the kernel is interrupted (`interruptActiveRuns`): no task starts any
 * more, tasks running in worker processes are ended, tasks running in-process finish. A cell awaiting
 * a run (`await MyFlow.run()`, `%flow run`) then ends with the run's own error, which names the run
 * and says how to resume it. A TypeScript cell still running once the runs have ended — or
 * {@link RUN_STOP_GRACE_MS} after the interrupt, e.g. while an in-process step keeps awaiting — is
 * interrupted the way tslab does it (its await rejects with "Interrupted asynchronously"); so is a
 * cell when no run is in progress, or on a second interrupt.
 */
import { activeRunCount, interruptActiveRuns } from "../../flow/runtime/active-runs.js";

/** How long a cell may keep running after its flows were interrupted before the cell itself is. */
export const RUN_STOP_GRACE_MS = 3000;

/** Carries out interrupts for a cell executor. */
export class CellInterrupt {
  private waiting = false;

  constructor(
    /** Interrupts the TypeScript cell tslab is running (rejects its pending await). */
    private readonly interruptCell: () => void,
    /** Identifies the cell whose TypeScript tslab is running (its execution count), if any. */
    private readonly runningCell: () => number | undefined,
    private readonly graceMs: number = RUN_STOP_GRACE_MS,
  ) {}

  /** Interrupts the flows in progress, then (if still running) the cell; see the file's comment. */
  interrupt(): void {
    if (this.waiting || activeRunCount() === 0) {
      this.interruptCell();
      return;
    }
    this.waiting = true;
    const cell = this.runningCell();
    const ended = interruptActiveRuns(new Error("The kernel was interrupted."));
    const grace = new Promise<void>((resolve) => setTimeout(resolve, this.graceMs).unref());
    void Promise.race([ended, grace]).then(() =>
      // After the runs' errors have reached the cells awaiting them (pending callbacks run first).
      setImmediate(() => {
        this.waiting = false;
        if (cell !== undefined && this.runningCell() === cell) this.interruptCell();
      }),
    );
  }
}
