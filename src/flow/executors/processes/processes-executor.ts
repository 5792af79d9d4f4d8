/**
 * The `processes` executor: attempts run in a pool of long-lived worker processes (one per core by
 * default), each of which imports the flow's module once and runs many attempts against the shared
 * datastore. Output is printed here live; a worker that dies fails only its attempt (the decorators'
 * retry and @catch apply) and is replaced; `@timeout` ends a runaway worker; nothing outlives the run.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { TaskInterruptedError, WorkerLostError } from "../../errors.js";
import { pathspecOf } from "../../datastore/datastore.js";
import { attemptRequirements } from "../../task/attempt-body.js";
import type { Executor, ExecutorSettings } from "../executor.js";
import { recordLostAttempt } from "../lost-attempt.js";
import { attemptResultOf, errorFromPlain, flowNotInModule, taskRequestOf } from "../task-request.js";
import { WorkerPool, type PoolOutcome } from "./worker-pool.js";

// The worker runs the package's build, the copy a flow module gets from `import ... from "wbflow"`
// (a second copy would have its own `current` and codec registry). Resolved from the package root,
// this is the same file whether this module runs from src/ or dist/.
const WORKER_SCRIPT = fileURLToPath(new URL("../../../../dist/flow/executors/processes/worker-main.js", import.meta.url));

// A body that keeps the event loop free times out inside its worker; this grace lets that happen first.
const TIME_LIMIT_GRACE_MS = 1000;

/** Runs attempts in worker processes; `maxWorkers` is the number of workers (CPU slots). */
export function processesExecutor({ maxWorkers }: ExecutorSettings): Executor {
  let pool: WorkerPool | undefined;
  return {
    name: "processes",
    async open(run) {
      if (run.flowModule === undefined) throw flowNotInModule(run.flowName);
      if (!existsSync(WORKER_SCRIPT)) {
        throw new Error(`The processes executor needs wbflow's build (${WORKER_SCRIPT} is missing). Run \`npm run build\` in the wbflow package.`);
      }
      pool = new WorkerPool(maxWorkers, WORKER_SCRIPT);
      pool.warm({ module: run.flowModule, className: run.definition.flowClass.name });
    },
    async runAttempt(assignment) {
      const { run, spec, attempt } = assignment;
      const { timeLimit, resources } = attemptRequirements(run, spec, attempt);
      const outcome = await pool!.run(
        taskRequestOf(assignment),
        { cpu: resources.cpu ?? 1, memoryMiB: resources.memoryMiB },
        {
          onEvent: (event) => process[event.stream].write(event.text),
          deadlineMs: timeLimit && timeLimit.milliseconds + TIME_LIMIT_GRACE_MS,
          recycleAfterFailureMs: timeLimit?.milliseconds,
          signal: assignment.signal,
        },
      );
      if (outcome.kind === "result") return attemptResultOf(outcome.result);
      if (outcome.kind === "not-run") throw errorFromPlain(outcome.error);
      const pathspec = pathspecOf({ flowName: run.flowName, runId: run.runId, stepName: spec.stepName, taskId: spec.taskId });
      return recordLostAttempt(assignment, lostError(outcome, pathspec, attempt, timeLimit?.error), outcome.output);
    },
    async close() {
      await pool?.close();
    },
  };
}

function lostError(outcome: Extract<PoolOutcome, { kind: "lost" }>, pathspec: string, attempt: number, timeLimitError: (() => Error) | undefined): Error {
  if (outcome.interrupted) {
    return new TaskInterruptedError(
      `Task ${pathspec} (attempt ${attempt}) was stopped because the run was interrupted: its worker process ` +
        `(pid ${String(outcome.pid)}) was ended. Resume the run to run it again.`,
    );
  }
  if (outcome.timedOut && timeLimitError) {
    const error = timeLimitError();
    error.message += ` Its worker process (pid ${String(outcome.pid)}) was ended.`;
    return error;
  }
  return new WorkerLostError(
    `Task ${pathspec} (attempt ${attempt}) failed: its worker process (pid ${String(outcome.pid)}) ${outcome.cause}. ` +
      `The pool replaces the worker; @retry on the step runs the task again.`,
  );
}
