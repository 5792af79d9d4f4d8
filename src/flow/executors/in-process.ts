/** The default executor: attempts run in this process, concurrently as far as they are async. */
import { executeAttempt } from "../task/task-execution.js";
import type { Executor } from "./executor.js";

/** Runs every attempt in the process that started the run (no subprocess; steps may come from notebook cells). */
export function inProcessExecutor(): Executor {
  return {
    name: "in-process",
    async open() {},
    runAttempt: ({ run, spec, attempt }) => executeAttempt(run, spec, attempt),
    async close() {},
  };
}
