/**
 * The kernel's interrupt, flows first: runs in progress are interrupted and a cell awaiting one ends
 * with the run's error; the cell itself is interrupted only when no run is in progress, when it is
 * still running once its runs have ended or after the grace (an in-process step that keeps awaiting),
 * or on a second interrupt.
 */
import { expect, test } from "vitest";
import { CellInterrupt } from "../../src/kernel/cells/cell-interrupt.js";
import { activeRunCount } from "../../src/flow/runtime/active-runs.js";
import { flowModule, tempDatastore } from "../flow/helpers.js";

const FLOWS = `
  export const started: string[] = [];
  export const gate = { open: () => {} };
  const opened = new Promise<void>((resolve) => (gate.open = resolve));
  export class Waits extends FlowSpec {
    @step async start() { started.push("start"); await opened; this.next(this.end); }
    @step end() { started.push("end"); }
  }`;

/**
 * A stand-in for the running cell: interrupting its code or its magic is counted and ends the cell.
 * `graceMs`: how long after the interrupt a cell still running is interrupted itself.
 */
function fakeCell(graceMs: number) {
  const state = { running: undefined as number | undefined, cellInterrupts: 0, magicStops: [] as string[] };
  const interrupter = new CellInterrupt(
    {
      runningCell: () => state.running,
      interruptCode: () => {
        state.cellInterrupts++;
        state.running = undefined;
      },
      stopWaitingForMagic: (error) => void state.magicStops.push(`${error.name}: ${error.message}`),
    },
    graceMs,
  );
  return { state, interrupter };
}

test("with no run in progress, the cell's TypeScript is interrupted at once (as tslab does), a magic is left alone", () => {
  const { state, interrupter } = fakeCell(50);
  state.running = 1;
  interrupter.interrupt();
  expect(state.cellInterrupts).toBe(1);
  expect(state.magicStops).toEqual([]);
});

test("a cell awaiting a run ends with the run's interrupted error; the cell is not interrupted itself", async () => {
  const module = flowModule(FLOWS);
  // A grace no loaded machine reaches: the run's end (its task stored), not the grace, must end the wait.
  const { state, interrupter } = fakeCell(60_000);
  state.running = 7;
  const run = module.Waits.run({}, { datastore: tempDatastore() }).catch((error: unknown) => error);
  while (module.started.length === 0) await new Promise((resolve) => setImmediate(resolve));
  interrupter.interrupt();
  module.gate.open(); // the running in-process step finishes; the end step never starts
  const error = await run;
  state.running = undefined; // the cell ended with the run's error
  await new Promise((resolve) => setTimeout(resolve, 100));
  expect(error).toMatchObject({ name: "FlowRunError", interrupted: true });
  expect((error as Error).message).toContain("%flow resume Waits");
  expect(module.started).toEqual(["start"]);
  expect(state.cellInterrupts).toBe(0);
  expect(state.magicStops).toEqual([]);
  expect(activeRunCount()).toBe(0);
});

test("a cell still running after the grace (an in-process step that keeps awaiting) is interrupted; so at once on a second interrupt", async () => {
  const module = flowModule(FLOWS);
  const { state, interrupter } = fakeCell(50);
  state.running = 8;
  const run = module.Waits.run({}, { datastore: tempDatastore() }).catch((error: unknown) => error);
  while (module.started.length === 0) await new Promise((resolve) => setImmediate(resolve));
  interrupter.interrupt();
  expect(state.cellInterrupts).toBe(0);
  while (state.cellInterrupts === 0) await new Promise((resolve) => setTimeout(resolve, 10));
  expect(activeRunCount()).toBe(1); // the step still awaits: the run cannot end before it does
  // A cell waiting for a magic (%flow run) stops waiting too, saying what goes on in the background.
  expect(state.magicStops).toEqual([expect.stringMatching(/^CellInterruptedError: Interrupted: the cell stopped waiting\. The flow runs in progress were told to stop/)]);

  state.running = 9; // a later cell, while the run still waits for its step
  interrupter.interrupt();
  interrupter.interrupt(); // the second one interrupts the cell at once
  expect(state.cellInterrupts).toBe(2);
  module.gate.open();
  expect(await run).toMatchObject({ name: "FlowRunError", interrupted: true });
  expect(module.started).toEqual(["start"]);
});
