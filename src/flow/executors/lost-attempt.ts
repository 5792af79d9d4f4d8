/** An attempt whose worker was lost: recorded like any failed attempt, so retries and @catch still apply. */
import { executeAttempt, type AttemptResult } from "../task/task-execution.js";
import type { AttemptAssignment } from "./executor.js";

/**
 * Stores the assigned attempt as failed with `error` (the task's inputs inherited, `output` as its logs)
 * and returns its result, with the decorators' retry decision or failure handling applied. No hook or
 * step body runs. For executors whose worker died or vanished mid-attempt.
 */
export function recordLostAttempt(
  { run, spec, attempt }: AttemptAssignment,
  error: Error,
  output: { stdout: string; stderr: string } = { stdout: "", stderr: "" },
): Promise<AttemptResult> {
  return executeAttempt(run, spec, attempt, { lost: { error, output } });
}
