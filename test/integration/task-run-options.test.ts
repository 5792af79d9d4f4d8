/** The W&B run options built for each task from the decorator's settings. */
import { describe, expect, test } from "vitest";
import type { TaskContext } from "../../src/flow/task/middleware.js";
import { taskInitOptions, taskRunName } from "../../src/integration/wandb-log/task-run-options.js";
import { WANDB_LOG_DEFAULTS, type WandbLogOptions } from "../../src/integration/wandb-log/wandb-log-options.js";

function context(overrides: Partial<TaskContext<WandbLogOptions>> = {}): TaskContext<WandbLogOptions> {
  return {
    flowName: "MyFlow",
    runId: "17",
    stepName: "train",
    taskId: "4",
    pathspec: "MyFlow/17/train/4",
    retryCount: 0,
    foreachIndex: undefined,
    foreachStack: [],
    parameters: {},
    parameterNames: [],
    decoratorOptions: WANDB_LOG_DEFAULTS,
    decorators: new Map(),
    addMetadata: () => undefined,
    artifacts: { onRead: () => undefined, onWrite: () => undefined, written: () => new Map() },
    readTaskMetadata: async () => ({}),
    ...overrides,
  };
}

const frame = (step: string, index: number) => ({ step, var: "items", numSplits: 3, index, value: String(index) });

describe("taskRunName", () => {
  test.each([
    [{}, "train/4"],
    [{ foreachStack: [frame("train", 2)] }, "train[2]/4"],
    [{ foreachStack: [frame("outer", 1), frame("train", 0)] }, "train[1,0]/4"],
    [{ retryCount: 2 }, "train/4 (retry 2)"],
  ])("%o → %s", (overrides, name) => {
    expect(taskRunName(context(overrides))).toBe(name);
  });
});

describe("taskInitOptions", () => {
  test("defaults: project from the flow name, group {flow}/{runId}, job type the step, notes the pathspec", () => {
    expect(taskInitOptions(context(), { lr: 0.1 }, {})).toEqual({
      settings: {
        project: "MyFlow",
        run_group: "MyFlow/17",
        run_job_type: "train",
        run_name: "train/4",
        run_notes: "wbflow task MyFlow/17/train/4",
      },
      config: { lr: 0.1 },
    });
  });

  test("WANDB_PROJECT wins over the flow name; an explicit project over both; an empty variable is unset", () => {
    expect(taskInitOptions(context(), {}, { WANDB_PROJECT: "env-project" }).settings?.project).toBe("env-project");
    expect(taskInitOptions(context(), {}, { WANDB_PROJECT: "" }).settings?.project).toBe("MyFlow");
    const explicit = context({ decoratorOptions: { ...WANDB_LOG_DEFAULTS, settings: { project: "mine" } } });
    expect(taskInitOptions(explicit, {}, { WANDB_PROJECT: "env-project" }).settings?.project).toBe("mine");
  });

  test("foreach tasks carry their split index in config", () => {
    const split = context({ foreachIndex: 2, foreachStack: [frame("train", 2)] });
    expect(taskInitOptions(split, { lr: 1 }, {})).toMatchObject({ config: { lr: 1, foreach_index: 2 }, settings: { run_name: "train[2]/4" } });
  });

  test("settings are copied: tags merged into run_tags, the decorator's objects never changed or shared", () => {
    const settings = { tags: ["a"], run_tags: ["b"], entity: "team", run_group: "custom" };
    const frozen = structuredClone(settings);
    const ctx = context({ decoratorOptions: { ...WANDB_LOG_DEFAULTS, settings } });
    const first = taskInitOptions(ctx, {}, {});
    const second = taskInitOptions(ctx, {}, {});
    expect(first.settings).toMatchObject({ run_tags: ["b", "a"], entity: "team", run_group: "custom" });
    expect(first.settings).not.toHaveProperty("tags");
    first.settings!.run_tags!.push("changed");
    expect(second.settings?.run_tags).toEqual(["b", "a"]);
    expect(settings).toEqual(frozen);
  });

  test("without tags in the settings, run_tags is left for WANDB_TAGS", () => {
    expect(taskInitOptions(context(), {}, {}).settings).not.toHaveProperty("run_tags");
  });
});
