/**
 * A run that stops before its tasks can end it — here an executor that cannot start, because the
 * flow was defined in a cell and workers can only load module files — still ends its live panel in
 * the cell (Failed, not Running forever), and the caller gets the error that says what to do.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, expect, it, vi } from "vitest";
import { Datastore } from "../../src/flow/datastore/datastore.js";
import type { RunOptions } from "../../src/flow/runtime/run-options.js";
import { setActiveOutput, settleDeferredOutputs } from "../../src/kernel/cells/active-output.js";
import type { CellOutput } from "../../src/kernel/cells/cell-output.js";
import { watchFlowRuns } from "../../src/kernel/flow-view/flow-run-watcher.js";
import { onFlowEvent } from "../../src/flow/runtime/events.js";
import { flowFrom } from "../flow/helpers.js";

afterEach(() => {
  setActiveOutput(undefined);
  vi.unstubAllEnvs();
});

/** Makes the kernel's cell output collect every display's text (the live panels) into the returned list. */
function capturePanels(): string[] {
  const panels: string[] = [];
  const output: CellOutput = {
    stream: () => undefined,
    display: (bundle) => void panels.push(String(bundle["text/plain"] ?? "")),
    result: () => undefined,
    error: () => undefined,
    prompt: () => Promise.reject(new Error("no input in this test")),
  };
  setActiveOutput(output);
  return panels;
}

it.each<[string, RunOptions]>([
  ["processes", { executor: "processes" }],
  // Never connects: the executor refuses the in-cell flow when it opens, before Redis is asked.
  ["bullmq", { executor: "bullmq", redis: "redis://127.0.0.1:1" }],
])("a run whose %s executor cannot start ends its live panel as Failed", async (_name, options) => {
  const root = mkdtempSync(path.join(tmpdir(), "wbflow-live-end-"));
  vi.stubEnv("WBFLOW_DATASTORE", root);
  const panels = capturePanels();
  const stop = watchFlowRuns();
  const InCell = flowFrom(`export class InCell extends FlowSpec { @step start() { this.next(this.end); } @step end() {} }`, "InCell");
  try {
    const error = await InCell.run({}, { ...options, datastore: new Datastore({ root }) }).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: "FlowNotInModuleError" });
    await settleDeferredOutputs();
  } finally {
    stop();
  }
  const live = panels.filter((text) => /^(Running|Failed|Succeeded|Interrupted) InCell\//.test(text));
  // Only the last panel is certain: a render reads the state when it runs, so on a busy machine the
  // first one may already show the end.
  expect(live.length).toBeGreaterThan(0);
  expect(live.at(-1)).toMatch(/^Failed InCell\//);
});

it("the finished panel shows the run's own time, not the time its last render waited", async () => {
  const root = mkdtempSync(path.join(tmpdir(), "wbflow-live-time-"));
  const panels = capturePanels();
  const clock = globalThis as { liveTimeClock?: number };
  clock.liveTimeClock = 0;
  const stop = watchFlowRuns({ now: () => clock.liveTimeClock! });
  // Runs after the watcher's listener: the run has ended at 1.5 s; its final render comes much later
  // (on a busy kernel, after a long Graphviz layout of the previous state).
  const stopLate = onFlowEvent((event) => {
    if (event.type === "run-finished") clock.liveTimeClock = 90_000;
  });
  const Timed = flowFrom(
    `export class Timed extends FlowSpec { @step start() { this.next(this.end); } @step end() { (globalThis as any).liveTimeClock = 1500; } }`,
    "Timed",
  );
  try {
    await Timed.run({}, { datastore: new Datastore({ root }) });
    await settleDeferredOutputs();
  } finally {
    stopLate();
    stop();
    delete clock.liveTimeClock;
  }
  const live = panels.filter((text) => /^Finished Timed\//.test(text));
  expect(live.at(-1)).toMatch(/^Finished Timed\/\d+ · 1\.5 s/);
});
