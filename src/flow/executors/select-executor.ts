/** Turns `RunOptions.executor` into the executor that serves one run. */
import { availableParallelism } from "node:os";
import type { Executor, ExecutorChoice, ExecutorSettings } from "./executor.js";
import { inProcessExecutor } from "./in-process.js";

/** The executor for a run: a built-in one by name (default in-process), or the object given. */
export async function selectExecutor(choice: ExecutorChoice | undefined, settings: ExecutorSettings): Promise<Executor> {
  if (choice === undefined || choice === "in-process") return inProcessExecutor();
  if (choice === "processes") return (await import("./processes/processes-executor.js")).processesExecutor(settings);
  if (choice === "bullmq") return (await import("./bullmq/bullmq-executor.js")).bullmqExecutor(settings.bullmq);
  if (typeof choice === "object" && choice !== null && typeof choice.runAttempt === "function") return choice;
  throw new TypeError(`Unknown executor ${JSON.stringify(choice)}. Use "in-process" (the default), "processes", "bullmq" or an Executor object.`);
}

/** `maxWorkers` when the run's options do not say: one worker per core for worker processes. */
export function defaultMaxWorkers(choice: ExecutorChoice | undefined, inProcessDefault: number): number {
  return choice === "processes" ? availableParallelism() : inProcessDefault;
}
