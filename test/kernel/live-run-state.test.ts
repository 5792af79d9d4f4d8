import { describe, expect, it } from "vitest";
import type { FlowEvent } from "../../src/flow/runtime/events.js";
import type { GraphInfo } from "../../src/flow/graph/graph-info.js";
import { LiveRunState } from "../../src/kernel/flow-view/live-run-state.js";
import { TaskInterruptedError } from "../../src/flow/errors.js";
import { liveRunText } from "../../src/display/live-run-panel.js";

const graph = {
  flowName: "SweepFlow",
  startStep: "start",
  endStep: "end",
  parameters: [],
  constants: [],
  graphStructure: [],
  steps: {
    start: { name: "start", type: "split-foreach", next: ["train"], takesInputs: false, splitParents: [], decorators: [], foreachVar: "alphas" },
    train: { name: "train", type: "linear", next: ["join"], takesInputs: false, splitParents: ["start"], decorators: [] },
    join: { name: "join", type: "join", next: ["end"], takesInputs: true, splitParents: [], decorators: [] },
    end: { name: "end", type: "end", next: [], takesInputs: false, splitParents: [], decorators: [] },
  },
} as unknown as GraphInfo;

const task = (type: "task-started" | "task-finished", stepName: string, taskId: string, foreachIndex?: number): FlowEvent =>
  ({
    type,
    flowName: "SweepFlow",
    runId: "1",
    stepName,
    taskId,
    pathspec: `SweepFlow/1/${stepName}/${taskId}`,
    retryCount: 0,
    ...(foreachIndex === undefined ? {} : { foreachIndex, foreachNumSplits: 100 }),
    ...(type === "task-finished" ? { cloned: false } : {}),
  }) as FlowEvent;

describe("LiveRunState", () => {
  it("counts foreach progress as 37/100 and colours steps by state", () => {
    const state = new LiveRunState("SweepFlow", "1", graph, 0);
    state.apply(task("task-started", "start", "1"));
    state.apply(task("task-finished", "start", "1"));
    for (let i = 0; i < 100; i++) state.apply(task("task-started", "train", String(i + 2), i));
    for (let i = 0; i < 37; i++) state.apply(task("task-finished", "train", String(i + 2), i));
    const train = state.rows().find((r) => r.name === "train")!;
    expect(train).toMatchObject({ state: "running", finishedTasks: 37, totalTasks: 100 });
    expect(state.statuses()).toMatchObject({ start: { state: "done" }, train: { state: "running", finishedTasks: 37, totalTasks: 100 }, join: { state: "pending" } });
    for (let i = 37; i < 100; i++) state.apply(task("task-finished", "train", String(i + 2), i));
    expect(state.statuses().train).toMatchObject({ state: "done", finishedTasks: 100 });
  });

  it("marks failures and the run's outcome", () => {
    const state = new LiveRunState("SweepFlow", "1", graph, 0);
    state.apply(task("task-started", "start", "1"));
    state.apply({ ...(task("task-started", "start", "1") as object), type: "task-failed", error: new Error("x"), handledByCatch: false } as FlowEvent);
    state.apply({ type: "run-finished", flowName: "SweepFlow", runId: "1", successful: false });
    expect(state.statuses().start?.state).toBe("failed");
    expect(state.outcome).toBe("failed");
  });

  it("a task taken back unrun after another failed (TaskNotRunError) counts neither as failed nor as started", () => {
    const state = new LiveRunState("SweepFlow", "1", graph, 0);
    for (let i = 0; i < 3; i++) state.apply(task("task-started", "train", String(i + 2), i));
    state.apply({ ...(task("task-started", "train", "2", 0) as object), type: "task-failed", error: new Error("x"), handledByCatch: false } as FlowEvent);
    const notRun = Object.assign(new Error("not run"), { name: "TaskNotRunError" });
    for (const id of ["3", "4"]) state.apply({ ...(task("task-started", "train", id, 1) as object), type: "task-failed", error: notRun, handledByCatch: false } as FlowEvent);
    expect(state.steps.get("train")).toMatchObject({ state: "failed", started: 1, failed: 1 });
  });

  it("tells an interrupted run from a failed one", () => {
    const state = new LiveRunState("SweepFlow", "1", graph, 0);
    const error = Object.assign(new Error("Flow SweepFlow run SweepFlow/1 was interrupted before it finished."), { interrupted: true });
    state.apply({ type: "run-finished", flowName: "SweepFlow", runId: "1", successful: false, error });
    expect(state.outcome).toBe("interrupted");
  });

  it("shows tasks ended by an interrupt as stopped, not failed", () => {
    const state = new LiveRunState("SweepFlow", "1", graph, 0);
    state.apply(task("task-started", "train", "2", 0));
    const stopped = new TaskInterruptedError("SweepFlow/1/train/2 was stopped by the interrupt.");
    state.apply({ ...(task("task-started", "train", "2", 0) as object), type: "task-failed", error: stopped, handledByCatch: false } as FlowEvent);
    expect(state.statuses().train?.state).toBe("stopped");
    expect(liveRunText({ flowName: "SweepFlow", runId: "1", state: "interrupted", elapsedMs: 0, dagSvg: "", steps: state.rows() })).toMatch(/train\s+stopped/);
  });
});
