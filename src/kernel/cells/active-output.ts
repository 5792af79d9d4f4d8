/**
 * The output of the cell currently (or most recently) executing, reachable from library code such as
 * `display()` and the live flow display. Kept on `globalThis` under a registered symbol so that every
 * copy of wbflow loaded in the kernel process (ESM, `require(esm)`) shares it.
 *
 * Like IPython and tslab, output that arrives after a cell finished still goes to that cell.
 */
import type { CellOutput } from "./cell-output.js";

const slot = Symbol.for("wbflow.kernel.activeOutput");

type GlobalWithSlot = typeof globalThis & { [slot]?: CellOutput };

/** Routes later `display()` calls to `output`. Called by the kernel before each cell. */
export function setActiveOutput(output: CellOutput | undefined): void {
  (globalThis as GlobalWithSlot)[slot] = output;
}

/** The active cell output, or undefined outside a wbflow kernel (scripts, tests, tsx). */
export function activeOutput(): CellOutput | undefined {
  return (globalThis as GlobalWithSlot)[slot];
}

const pendingSlot = Symbol.for("wbflow.kernel.pendingOutputs");

type GlobalWithPending = typeof globalThis & { [pendingSlot]?: Set<Promise<unknown>> };

/**
 * Registers output work still in flight (e.g. a run report being rendered) so the kernel waits for
 * it before telling the client the cell is done — otherwise nbconvert could move on without it.
 */
export function deferOutput(work: Promise<unknown>): void {
  const holder = globalThis as GlobalWithPending;
  const pending = (holder[pendingSlot] ??= new Set());
  pending.add(work);
  void work.finally(() => pending.delete(work)).catch(() => undefined);
}

/** Waits until all deferred output work has settled (including work added meanwhile). */
export async function settleDeferredOutputs(): Promise<void> {
  const pending = (globalThis as GlobalWithPending)[pendingSlot];
  while (pending && pending.size > 0) await Promise.allSettled([...pending]);
}
