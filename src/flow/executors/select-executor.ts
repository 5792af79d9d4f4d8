/** Turns `RunOptions.executor` into the executor that serves one run. */
import type { Executor, ExecutorChoice, ExecutorSettings } from "./executor.js";
import { inProcessExecutor } from "./in-process.js";

/** The executor for a run: a built-in one by name (default in-process), or the object given. */
export async function selectExecutor(choice: ExecutorChoice | undefined, _settings: ExecutorSettings): Promise<Executor> {
  if (choice === undefined || choice === "in-process") return inProcessExecutor();
  if (typeof choice === "object" && choice !== null && typeof choice.runAttempt === "function") return choice;
  throw new TypeError(`Unknown executor ${JSON.stringify(choice)}. Use "in-process" (the default) or an Executor object.`);
}
