/**
 * The `processes` executor: attempts run in worker processes (one per core by default) of the pool this
 * process shares between its runs; each worker imports the flow's module once and runs many attempts
 * against the shared datastore. Output is printed here live; a worker that dies fails only its attempt
 * (the decorators' retry and @catch apply) and is replaced; `@timeout` ends a runaway worker.
 */
import { TaskInterruptedError, TaskNotRunError, WorkerLostError } from "../../errors.js";
import { pathspecOf } from "../../datastore/datastore.js";
import { attemptRequirements } from "../../task/attempt-body.js";
import type { Executor, ExecutorSettings } from "../executor.js";
import { recordLostAttempt } from "../lost-attempt.js";
import { attemptResultOf, errorFromPlain, flowNotInModule, taskRequestOf } from "../task-request.js";
import { sharedWorkerPool } from "./shared-pool.js";
import type { PoolLease, PoolOutcome } from "./worker-pool.js";

// A body that keeps the event loop free times out inside its worker; this grace lets that happen first.
const TIME_LIMIT_GRACE_MS = 1000;

/** Runs attempts in worker processes; `maxWorkers` is the run's number of workers (CPU slots). */
export function processesExecutor({ maxWorkers }: ExecutorSettings): Executor {
  let lease: PoolLease | undefined;
  return {
    name: "processes",
    async open(run) {
      if (run.flowModule === undefined) throw flowNotInModule(run.flowName);
      lease = await sharedWorkerPool().lease(maxWorkers, { module: run.flowModule, className: run.definition.flowClass.name });
    },
    async runAttempt(assignment) {
      const { run, spec, attempt } = assignment;
      const { timeLimit, resources } = attemptRequirements(run, spec, attempt);
      const outcome = await lease!.run(
        taskRequestOf(assignment),
        { cpu: resources.cpu ?? 1, memoryMiB: resources.memoryMiB },
        {
          onEvent: (event) => process[event.stream].write(event.text),
          deadlineMs: timeLimit && timeLimit.milliseconds + TIME_LIMIT_GRACE_MS,
          recycleAfterFailureMs: timeLimit?.milliseconds,
          signal: assignment.signal,
          runFailed: assignment.runFailed,
        },
      );
      if (outcome.kind === "result") return attemptResultOf(outcome.result);
      if (outcome.kind === "not-run") throw errorFromPlain(outcome.error);
      const pathspec = pathspecOf({ flowName: run.flowName, runId: run.runId, stepName: spec.stepName, taskId: spec.taskId });
      if (outcome.kind === "withdrawn") return recordLostAttempt(assignment, notStarted(pathspec, attempt, outcome.interrupted, assignment.runFailed?.reason));
      return recordLostAttempt(assignment, lostError(outcome, pathspec, attempt, timeLimit?.error), outcome.output);
    },
    async close() {
      await lease?.close();
    },
  };
}

/** Why an attempt that waited for free slots was not run. */
function notStarted(pathspec: string, attempt: number, interrupted: boolean, failedTask: unknown): Error {
  if (interrupted) {
    return new TaskInterruptedError(`Task ${pathspec} (attempt ${attempt}) was not run: the run was interrupted while it waited for free worker slots. Resume the run to run it.`);
  }
  return new TaskNotRunError(
    `Task ${pathspec} (attempt ${attempt}) was not run: the run had already failed (in task ${String(failedTask)}) while it waited for free worker slots. Resume the run to run it.`,
  );
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
