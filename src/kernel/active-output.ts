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
