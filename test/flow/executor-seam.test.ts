/**
 * The executor seam: every attempt goes through the run's executor; an executor that ships attempts as
 * plain requests (JSON both ways) to the worker-side entry gets the same run as in-process; a lost
 * attempt is recorded as failed and retried or caught like any failure.
 */
import { expect, test } from "vitest";
import type { AttemptAssignment, Executor } from "../../src/flow/executors/executor.js";
import { inProcessExecutor } from "../../src/flow/executors/in-process.js";
import { recordLostAttempt } from "../../src/flow/executors/lost-attempt.js";
import { runTaskRequest } from "../../src/flow/executors/run-task-request.js";
import { attemptResultOf, FlowNotInModuleError, forwardedEnv, taskRequestOf, type AttemptEvent } from "../../src/flow/executors/task-request.js";
import { StepTimeoutError } from "../../src/flow/errors.js";
import { runSignature, SHAPES_FLOW } from "./executor-fixtures.js";
import { flowFrom, tempDatastore } from "./helpers.js";

/** Records what the scheduler asks of it; runs attempts in-process. */
function recordingExecutor(): Executor & { calls: string[] } {
  const inner = inProcessExecutor();
  const calls: string[] = [];
  return {
    name: "recording",
    calls,
    async open(run) {
      calls.push(`open ${run.flowName}`);
    },
    runAttempt(assignment) {
      calls.push(`${assignment.spec.stepName}#${assignment.attempt}`);
      return inner.runAttempt(assignment);
    },
    async close() {
      calls.push("close");
    },
  };
}

/** Sends each attempt as JSON to the worker-side entry (here in this process) and reads the JSON result back. */
function requestExecutor(flowClass: Function, events: AttemptEvent[]): Executor {
  return {
    name: "requests",
    async open() {},
    async runAttempt(assignment: AttemptAssignment) {
      const request = JSON.parse(JSON.stringify(taskRequestOf(assignment)));
      const result = await runTaskRequest(request, { loadFlowClass: async () => flowClass, onEvent: (e) => events.push(e) });
      return attemptResultOf(JSON.parse(JSON.stringify(result)));
    },
    async close() {},
  };
}

test("every attempt of a run goes through the executor, opened before the first and closed after the last", async () => {
  const Shapes = flowFrom(SHAPES_FLOW, "Shapes");
  const executor = recordingExecutor();
  const run = await Shapes.run({}, { datastore: tempDatastore(), executor });
  expect(executor.calls[0]).toBe("open Shapes");
  expect(executor.calls.at(-1)).toBe("close");
  expect(executor.calls.filter((c) => c.startsWith("side#"))).toEqual(["side#0", "side#1"]);
  expect(executor.calls.length - 2).toBe(run.tasks.reduce((sum: number, t: any) => sum + t.attempts, 0));
});

test("the executor is closed when the run fails", async () => {
  const F = flowFrom(`export class F extends FlowSpec { @step start() { throw new Error("no"); this.next(this.end); } @step end() {} }`);
  const executor = recordingExecutor();
  await expect(F.run({}, { datastore: tempDatastore(), executor })).rejects.toThrow("failed in step 'start'");
  expect(executor.calls).toEqual(["open F", "start#0", "close"]);
});

test("attempts sent as plain requests and results give the same run as in-process", async () => {
  const Shapes = flowFrom(SHAPES_FLOW, "Shapes");
  const expected = await runSignature(await Shapes.run({ scale: 2 }, { datastore: tempDatastore() }));
  const events: AttemptEvent[] = [];
  const viaRequests = await Shapes.run({ scale: 2 }, {
    datastore: tempDatastore(),
    executor: requestExecutor(Shapes, events),
    flowModule: "/nowhere/shapes.ts",
  });
  expect(await runSignature(viaRequests)).toEqual(expected);
  expect((expected["both[][]"] as any).values.result).toEqual({ tags: ["o2", "e8", "o18"], oopses: [null, "eight is caught", null], n: 3 });
  expect(events.filter((e) => e.stream === "stdout").map((e) => e.text)).toEqual(["count 1\n", "count 2\n", "count 3\n"]);
});

test("a request names the flow's module and carries no secrets", async () => {
  const F = flowFrom(`export class F extends FlowSpec { @step start() { this.next(this.end); } @step end() {} }`);
  process.env.WANDB_PROJECT = "seam-project";
  process.env.WANDB_API_KEY = "secret-key-never-sent";
  const requests: unknown[] = [];
  const executor: Executor = {
    ...inProcessExecutor(),
    runAttempt(assignment) {
      requests.push(taskRequestOf(assignment));
      return inProcessExecutor().runAttempt(assignment);
    },
  };
  try {
    await F.run({}, { datastore: tempDatastore(), executor, flowModule: "/somewhere/f.ts" });
  } finally {
    delete process.env.WANDB_PROJECT;
    delete process.env.WANDB_API_KEY;
  }
  expect(requests[0]).toMatchObject({ flow: { module: "/somewhere/f.ts", className: "F" }, task: { stepName: "start", attempt: 0 } });
  expect((requests[0] as any).env.WANDB_PROJECT).toBe("seam-project");
  expect(JSON.stringify(requests)).not.toContain("secret-key-never-sent");
});

test("a request carries no setting whose value is a URL with a password (the runner's Redis URL): a BullMQ job keeps its request in Redis for hours", () => {
  const env = forwardedEnv({
    WBFLOW_REDIS_URL: "redis://:hunter2-pw@127.0.0.1:6379/0",
    WANDB_BASE_URL: "https://user:pw-in-url@wandb.example.com",
    WBFLOW_OTHER_URL: "redis://127.0.0.1:6379",
    WANDB_PROJECT: "p",
  });
  expect(env).toEqual({ WBFLOW_OTHER_URL: "redis://127.0.0.1:6379", WANDB_PROJECT: "p" });
});

test("a flow compiled from a cell has no module: a request for it says how to move it into a file", async () => {
  const F = flowFrom(`export class F extends FlowSpec { @step start() { this.next(this.end); } @step end() {} }`);
  const executor: Executor = { ...inProcessExecutor(), runAttempt: async (assignment) => (taskRequestOf(assignment), inProcessExecutor().runAttempt(assignment)) };
  const error = await F.run({}, { datastore: tempDatastore(), executor }).catch((e: any) => e);
  expect(error.cause).toBeInstanceOf(FlowNotInModuleError);
  expect(error.cause.message).toContain("%%writefile f.ts");
});

test("a lost attempt is stored as failed, retried by @retry, and handled by @catch on the last one", async () => {
  const F = flowFrom(`export class F extends FlowSpec {
    @retry({ times: 1 }) @step start() { (this as any).ran = current.retryCount; this.next(this.middle); }
    @catchFailure({ var: "lost", printException: false }) @step middle() { this.next(this.end); }
    @step end() {}
  }`);
  const lose = (step: string, attempts: number[]): Executor => ({
    ...inProcessExecutor(),
    runAttempt: (assignment) =>
      (assignment.spec.stepName === step || step === "*") && attempts.includes(assignment.attempt)
        ? recordLostAttempt(assignment, new Error(`worker for ${assignment.spec.stepName} died (SIGKILL)`), { stdout: "half a line", stderr: "" })
        : inProcessExecutor().runAttempt(assignment),
  });
  const run = await F.run({}, { datastore: tempDatastore(), executor: lose("start", [0]) });
  expect(run.tasksOf("start")[0].attempts).toBe(2);
  expect(await run.artifact("ran", "start")).toBe(1);
  const first = run.tasksOf("start")[0];
  const key = { flowName: "F", runId: run.runId, stepName: "start", taskId: first.taskId };
  expect(await run.datastore.readLog(key, 0, "stdout")).toBe("half a line");

  const caught = await F.run({}, { datastore: tempDatastore(), executor: lose("middle", [0]) });
  expect(caught.successful).toBe(true);
  expect(await caught.artifact("lost", "middle")).toMatchObject({ message: "worker for middle died (SIGKILL)" });
});

test("errors come back as their flow error class", async () => {
  const { errorFromPlain, plainError } = await import("../../src/flow/executors/task-request.js");
  const rebuilt = errorFromPlain(JSON.parse(JSON.stringify(plainError(new StepTimeoutError("too slow")))));
  expect(rebuilt).toBeInstanceOf(StepTimeoutError);
  expect(rebuilt.name).toBe("StepTimeoutError");
  expect(errorFromPlain({ name: "TypeError", message: "x" })).toBeInstanceOf(TypeError);
});
