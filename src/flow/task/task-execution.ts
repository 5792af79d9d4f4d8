/**
 * Executes one attempt of one task: load the stored inputs, run the step body (inside `current`,
 * output capture and the decorators' hooks and middleware), then persist everything, even after a failure.
 */
import type { ArtifactRecord } from "../datastore/datastore.js";
import { captureOutput, type CapturedOutput } from "./log-capture.js";
import { runWithCurrentTask } from "./current.js";
import { currentTaskOf } from "./task-context.js";
import { taskKeyOf, type RunContext, type TaskSpec } from "../runtime/run-context.js";
import { runAttemptBody } from "./attempt-body.js";
import { runAttemptEndHooks } from "./lifecycle.js";
import { finishAttempt, storeArtifacts, taskPathspec, writeLogs } from "./attempt-outcome.js";
import type { ChosenTransition } from "./task-state.js";

/** How one attempt ended. */
export interface AttemptResult {
  /** Finished OK, or failed and a decorator (e.g. @catch) handled the failure. */
  ok: boolean;
  /** Whether a decorator handled a failure. */
  caught: boolean;
  error: Error | undefined;
  transition: ChosenTransition | undefined;
  artifacts: Record<string, ArtifactRecord>;
  /** Set when the attempt failed and the step's decorators asked for another attempt after `delayMs`. */
  retry: { delayMs: number } | undefined;
}

/** How an attempt is executed, besides the usual. */
export interface AttemptOptions {
  /** Called with the task's output as it is written. */
  onOutput?: (stream: "stdout" | "stderr", text: string) => void;
  /**
   * The attempt ran elsewhere and was lost (e.g. its worker process died) with this error: store it as
   * failed with `output` (what it printed before), and let the decorators decide on a retry or handle it.
   */
  lost?: { error: Error; output: { stdout: string; stderr: string } };
}

/** Runs one attempt of a task and persists its outcome. */
export async function executeAttempt(run: RunContext, spec: TaskSpec, attempt: number, options: AttemptOptions = {}): Promise<AttemptResult> {
  const key = taskKeyOf(run, spec.stepName, spec.taskId);
  const pathspec = taskPathspec(run, spec);
  const startedAt = Date.now();
  const attemptStarted = run.datastore.startAttempt(key, attempt);
  attemptStarted.catch(() => undefined); // awaited (and reported) below

  const output: CapturedOutput = { stdout: [], stderr: [], ...(options.onOutput ? { live: options.onOutput } : {}) };
  if (options.lost) {
    output.stdout.push(options.lost.output.stdout);
    output.stderr.push(options.lost.output.stderr);
  }
  const metadata: Record<string, unknown> = {};
  const current = currentTaskOf(run, spec, attempt);
  const body = await captureOutput(output, () =>
    runWithCurrentTask(current, () => runAttemptBody(run, spec, attempt, pathspec, metadata, options.lost?.error)),
  );

  let stored: Awaited<ReturnType<typeof storeArtifacts>> | undefined;
  try {
    await attemptStarted;
    const outcome = await storeArtifacts(run, spec, pathspec, body, attempt, output);
    await writeLogs(run, key, attempt, output);
    await finishAttempt(run, spec, attempt, outcome.artifacts, { startedAt }, metadata);
    stored = outcome;
  } finally {
    // Only now, with the attempt on record (or known not to be), may decorators close what they opened
    // for it. A lost attempt ran (and opened things) in a process that is gone: no hook runs for it here.
    if (!options.lost) {
      const end = { stored: stored !== undefined, ok: stored?.ok ?? false };
      await runAttemptEndHooks(body.chain, end, (error) => reportEndHookError(pathspec, attempt, error));
    }
  }
  const { ok, caught, failure: error, transition, artifacts, retry } = stored;
  return { ok, caught, error, transition, artifacts, retry };
}

function reportEndHookError(pathspec: string, attempt: number, error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`wbflow: task ${pathspec} attempt ${attempt} is stored, but a step decorator's onAttemptEnd hook failed: ${message}\n`);
}
