/**
 * A user's own step decorators on the lifecycle hooks, written against the public API only (the
 * `wbflow` entry point): a decorator that retries on one error type only, one that vetoes @retry,
 * and the documented order of the hooks (`onAttemptEnd` once the attempt is stored).
 */
import { describe, expect, test } from "vitest";
import {
  current,
  defineStepDecorator,
  FlowRunError,
  type FlowEvent,
  type RetryDecision,
  type TaskContext,
} from "../../src/index.js";
import * as wbflow from "../../src/index.js";
import { compileFlowSource } from "./compile-flow.js";
import { tempDatastore } from "./helpers.js";

class TransientError extends Error {
  override name = "TransientError";
}

/** Retries up to `times` more times when the error is named `error`; forbids any retry otherwise. */
const retryOnly = defineStepDecorator({
  name: "retryOnly",
  defaults: { error: "TransientError", times: 2 },
  onAttemptFailure(ctx: TaskContext<{ error: string; times: number }>, error: Error): RetryDecision | undefined {
    if (error.name !== ctx.decoratorOptions.error) return { retry: false };
    return ctx.retryCount < ctx.decoratorOptions.times ? { retry: true } : undefined;
  },
});

const calls: string[] = [];

/** Records every hook call; handles the final failure and stores a note, as @catch does. */
const trace = defineStepDecorator({
  name: "trace",
  defaults: {},
  onAttemptStart(ctx) {
    calls.push(`start ${ctx.stepName} #${ctx.retryCount} current=${current.stepName}`);
  },
  async middleware(ctx, next) {
    calls.push(`before body #${ctx.retryCount}`);
    await next();
    calls.push(`after body #${ctx.retryCount}`);
  },
  onAttemptFailure(ctx, error) {
    calls.push(`attempt failed #${ctx.retryCount}: ${error.message}`);
    return ctx.retryCount === 0 ? { retry: true } : undefined;
  },
  onTaskFailure(ctx, error) {
    calls.push(`task failed: ${error.message}`);
    ctx.setArtifact("note", `handled ${error.message}`);
    return { handled: true };
  },
  onTaskSuccess(ctx) {
    calls.push(`task succeeded ${ctx.stepName}`);
    ctx.setArtifact("note", "fine");
  },
  async onAttemptEnd(ctx, end) {
    // The attempt's own done file is already written when this runs.
    const key = { flowName: ctx.flowName, runId: ctx.runId, stepName: ctx.stepName, taskId: ctx.taskId };
    const stored = await traceStore!.readTask(key, ctx.retryCount).then(
      (task) => `attempt ${String(task.metadata["attempt"])} stored`,
      (error: Error) => error.name,
    );
    calls.push(`attempt end #${ctx.retryCount} ${JSON.stringify(end)}: ${stored}`);
  },
});
/** The datastore the traced run uses (read by `onAttemptEnd`). */
let traceStore: wbflow.Datastore | undefined;

/** The errors each flow's attempts throw, by retry count; an attempt without one succeeds. */
const failures: Record<string, Array<() => Error>> = {};
function failAsPlanned(flowName: string): void {
  const next = failures[flowName]?.[current.retryCount!];
  if (next) throw next();
}

/**
 * Compiles flow source as a notebook cell is compiled (legacy decorators, CommonJS); it imports
 * `wbflow` (the public entry point) and `./user-code` (the typed decorators of this file).
 */
function flowsFrom(source: string): Record<string, any> {
  const userCode = { retryOnly, trace, failAsPlanned };
  const code = compileFlowSource(source, { mode: "legacy", useDefineForClassFields: false });
  const module = { exports: {} as Record<string, any> };
  const require = (name: string): unknown => ({ wbflow, "./user-code": userCode })[name];
  new Function("require", "module", "exports", code)(require, module, module.exports);
  return module.exports;
}

const { Flaky, Vetoed, Traced } = flowsFrom(`
  import { FlowSpec, step, retry, current } from "wbflow";
  import { retryOnly, trace, failAsPlanned } from "./user-code";
  export class Flaky extends FlowSpec {
    @retryOnly @step start() {
      failAsPlanned("Flaky");
      this.attempts = current.retryCount + 1;
      this.next(this.end);
    }
    @step end() {}
  }
  export class Vetoed extends FlowSpec {
    @retry({ times: 3 }) @retryOnly @step start() {
      failAsPlanned("Vetoed");
      this.next(this.end);
    }
    @step end() {}
  }
  export class Traced extends FlowSpec {
    @trace @step start() {
      throw new Error("boom " + current.retryCount);
      this.next(this.end);
    }
    @trace @step end() {
      this.seen = this.note;
    }
  }
`);

describe("a user decorator that retries on one error type only", () => {
  test("retries the transient failures and succeeds", async () => {
    failures.Flaky = [() => new TransientError("blip"), () => new TransientError("blip again")];
    const events: FlowEvent[] = [];
    const run = await Flaky.run({}, { datastore: tempDatastore(), onEvent: (e: FlowEvent) => events.push(e) });
    expect(run.successful).toBe(true);
    expect(run.tasksOf("start")[0]!.attempts).toBe(3);
    expect(await run.artifact("attempts", "start")).toBe(3);
    expect(events.filter((e) => e.type === "task-retrying").map((e) => (e as { error: Error }).error.message)).toEqual(["blip", "blip again"]);
  });

  test("gives up after its own budget", async () => {
    failures.Flaky = [1, 2, 3].map((n) => () => new TransientError(`blip ${n}`));
    const error = await Flaky.run({}, { datastore: tempDatastore() }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FlowRunError);
    expect((error as FlowRunError).message).toContain("blip 3");
    expect((error as any).run.tasksOf("start")[0]!.attempts).toBe(3);
  });

  test("does not retry another error type, and its veto wins over @retry", async () => {
    failures.Flaky = [() => new TypeError("a bug")];
    const flaky = await Flaky.run({}, { datastore: tempDatastore(), throwOnFailure: false });
    expect(flaky.successful).toBe(false);
    expect(flaky.tasksOf("start")[0]!.attempts).toBe(1);

    failures.Vetoed = [() => new TypeError("a bug")];
    const vetoed = await Vetoed.run({}, { datastore: tempDatastore(), throwOnFailure: false });
    expect(vetoed.tasksOf("start")[0]!.attempts).toBe(1);
    failures.Vetoed = [() => new TransientError("blip")];
    const retried = await Vetoed.run({}, { datastore: tempDatastore() });
    expect(retried.tasksOf("start")[0]!.attempts).toBe(2);
  });
});

test("hooks run in the documented order; a handled failure continues the run with the hook's artifacts", async () => {
  calls.length = 0;
  traceStore = tempDatastore();
  const run = await Traced.run({}, { datastore: traceStore });
  expect(run.successful).toBe(true);
  expect(calls).toEqual([
    "start start #0 current=start",
    "before body #0",
    "attempt failed #0: boom 0",
    'attempt end #0 {"stored":true,"ok":false}: attempt 0 stored',
    "start start #1 current=start",
    "before body #1",
    "attempt failed #1: boom 1",
    "task failed: boom 1",
    'attempt end #1 {"stored":true,"ok":true}: attempt 1 stored',
    "start end #0 current=end",
    "before body #0",
    "after body #0",
    "task succeeded end",
    'attempt end #0 {"stored":true,"ok":true}: attempt 0 stored',
  ]);
  expect(await run.artifact("seen")).toBe("handled boom 1");
  expect(await run.artifact("note")).toBe("fine");
  expect(run.tasksOf("start")[0]!.ok).toBe(true);
});
