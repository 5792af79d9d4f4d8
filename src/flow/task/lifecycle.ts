/**
 * Step-decorator lifecycle hooks: what a decorator made with `defineStepDecorator` can do at each
 * point of a task's life, and the engine's side that calls them. The built-in `@retry`, `@catch`,
 * `@timeout` and `@environment` are ordinary decorators on these hooks; the engine never asks for a
 * decorator by name.
 *
 * One attempt of a task, in order:
 * 1. `onAttemptStart` (outermost decorator first), then `middleware` around the step body.
 *    The body is bounded by the shortest `timeLimit` any decorator asks for.
 * 2. If the attempt failed: `onAttemptFailure` (innermost first) decides whether to run another attempt.
 * 3. When no attempt follows: `onTaskFailure` (innermost first; may handle the failure, so the run
 *    goes on) or `onTaskSuccess`. Both run before the task's outputs are stored, so they can set artifacts.
 * 4. The attempt is stored (its done file written), then `onAttemptEnd` (innermost first) — also when
 *    storing it failed. What a decorator opened for the attempt and must not look complete before the
 *    flow has recorded it (e.g. `@wandb_log`'s W&B run) is closed here.
 * A task `resume` reuses from the origin run runs no attempt; `onTaskCloned` is called once it is copied.
 */
import type { DecoratorOptions } from "../define/step-decorator.js";
import type { TaskContext, TaskMiddleware } from "./middleware.js";

/** What `onAttemptFailure` answers: run another attempt (after `delayMs`), or never retry this failure. */
export type RetryDecision = { retry: true; delayMs?: number } | { retry: false };

/** What `onTaskFailure` answers when it handles the failure: the task counts as done and the run goes on. */
export interface FailureHandling {
  handled: true;
}

/** A bound on the duration of the step body, and the error a body that overruns it fails with. */
export interface TimeLimit {
  milliseconds: number;
  /** The failure of an attempt whose body ran longer than `milliseconds`. */
  error(): Error;
}

/** What an attempt needs from an executor that runs it in a worker process (ignored in-process). */
export interface ResourceNeeds {
  /** CPU slots of the worker pool the attempt occupies. */
  cpu?: number;
  /** Heap bound of the attempt's worker, in MiB: going over fails the attempt. */
  memoryMiB?: number;
}

/** The context of the hooks that run once a task's outcome is known: they can set artifacts. */
export interface TaskEndContext<O extends DecoratorOptions = DecoratorOptions> extends TaskContext<O> {
  /** Stores `value` as artifact `name` of this task (as `this[name] = value` in the step). */
  setArtifact(name: string, value: unknown): void;
}

/** How an attempt ended, as `onAttemptEnd` is told. */
export interface AttemptEnd {
  /** The attempt's record (artifacts, metadata, done file) is in the datastore; false when storing it failed. */
  stored: boolean;
  /** The attempt succeeded, or failed and a decorator handled it (false when not stored). */
  ok: boolean;
}

/** The hooks of a step decorator; every one is optional. See the module comment for the order. */
export interface StepLifecycleHooks<O extends DecoratorOptions> {
  /** Before each attempt's body, inside the task (`current`, output capture). Throwing fails the attempt. */
  onAttemptStart?(ctx: TaskContext<O>): void | Promise<void>;
  /** Runs around the step body of every attempt: call `next()` to run the rest of the chain and the body. */
  middleware?: TaskMiddleware<O>;
  /** What the attempt needs from a worker pool (CPU slots, heap bound); the largest ask of each wins. */
  resources?(ctx: TaskContext<O>): ResourceNeeds | undefined;
  /** The longest the body of an attempt may run; undefined for no bound. */
  timeLimit?(ctx: TaskContext<O>): TimeLimit | undefined;
  /**
   * An attempt failed: answer `{ retry: true }` to run another attempt, `{ retry: false }` to forbid one
   * whatever other decorators say, or undefined for no opinion. Any `retry: false` wins; otherwise any
   * `retry: true` retries, after the longest delay asked. The engine makes at most 6 attempts.
   */
  onAttemptFailure?(ctx: TaskContext<O>, error: Error): RetryDecision | undefined | Promise<RetryDecision | undefined>;
  /**
   * The task failed and no attempt follows. Answer `{ handled: true }` to let the run continue as if
   * the step had succeeded (it then follows its only transition); undefined leaves the failure to stop the run.
   */
  onTaskFailure?(ctx: TaskEndContext<O>, error: Error): FailureHandling | undefined | Promise<FailureHandling | undefined>;
  /** The step body succeeded (the last attempt). */
  onTaskSuccess?(ctx: TaskEndContext<O>): void | Promise<void>;
  /**
   * After every attempt, once its record is in the datastore (or storing it failed: `stored: false`).
   * The outcome is settled by now: a hook that throws is reported and changes nothing.
   */
  onAttemptEnd?(ctx: TaskContext<O>, end: AttemptEnd): void | Promise<void>;
  /**
   * `resume` reused this task from the origin run (its record is copied; no attempt runs): `origin`
   * is the origin task's pathspec and stored metadata. For finishing what the origin attempt was
   * recorded with but did not get to close (its process ended right after the task was stored).
   */
  onTaskCloned?(ctx: TaskContext<O>, origin: ClonedFrom): void | Promise<void>;
}

/** The origin task of a task `resume` reused, as `onTaskCloned` is told. */
export interface ClonedFrom {
  pathspec: string;
  metadata: Readonly<Record<string, unknown>>;
}

/** One decorator's hooks bound to its options, as the engine calls them. */
export interface BoundHooks {
  hooks: StepLifecycleHooks<DecoratorOptions>;
  ctx: TaskContext;
}

/** Runs every `onAttemptStart`, outermost decorator first. */
export async function runAttemptStartHooks(chain: readonly BoundHooks[]): Promise<void> {
  for (const { hooks, ctx } of chain) await hooks.onAttemptStart?.(ctx);
}

/** The shortest time limit the decorators ask for, if any. */
export function shortestTimeLimit(chain: readonly BoundHooks[]): TimeLimit | undefined {
  let shortest: TimeLimit | undefined;
  for (const { hooks, ctx } of chain) {
    const limit = hooks.timeLimit?.(ctx);
    if (limit && (!shortest || limit.milliseconds < shortest.milliseconds)) shortest = limit;
  }
  return shortest;
}

/** The largest CPU and memory the decorators ask for. */
export function largestResourceNeeds(chain: readonly BoundHooks[]): ResourceNeeds {
  const needs: ResourceNeeds = {};
  for (const { hooks, ctx } of chain) {
    const asked = hooks.resources?.(ctx);
    if (asked?.cpu !== undefined) needs.cpu = Math.max(needs.cpu ?? 0, asked.cpu);
    if (asked?.memoryMiB !== undefined) needs.memoryMiB = Math.max(needs.memoryMiB ?? 0, asked.memoryMiB);
  }
  return needs;
}

/** Asks every `onAttemptFailure` (innermost first) and combines the answers; undefined: no retry. */
export async function decideRetry(chain: readonly BoundHooks[], error: Error): Promise<{ delayMs: number } | undefined> {
  let delayMs: number | undefined;
  for (const { hooks, ctx } of [...chain].reverse()) {
    const decision = await hooks.onAttemptFailure?.(ctx, error);
    if (decision?.retry === false) return undefined;
    if (decision?.retry) delayMs = Math.max(delayMs ?? 0, decision.delayMs ?? 0);
  }
  return delayMs === undefined ? undefined : { delayMs };
}

/** Calls every `onTaskFailure` (innermost first); true when one of them handled the failure. */
export async function runTaskFailureHooks(chain: readonly BoundHooks[], setArtifact: TaskEndContext["setArtifact"], error: Error): Promise<boolean> {
  let handled = false;
  for (const { hooks, ctx } of [...chain].reverse()) {
    const answer = await hooks.onTaskFailure?.({ ...ctx, setArtifact }, error);
    if (answer?.handled) handled = true;
  }
  return handled;
}

/** Calls every `onTaskSuccess`, innermost first. */
export async function runTaskSuccessHooks(chain: readonly BoundHooks[], setArtifact: TaskEndContext["setArtifact"]): Promise<void> {
  for (const { hooks, ctx } of [...chain].reverse()) await hooks.onTaskSuccess?.({ ...ctx, setArtifact });
}

/** Calls every `onTaskCloned`, innermost first; like `onAttemptEnd`, an error is reported and changes nothing. */
export async function runTaskClonedHooks(chain: readonly BoundHooks[], origin: ClonedFrom, report: (error: unknown) => void): Promise<void> {
  for (const { hooks, ctx } of [...chain].reverse()) {
    try {
      await hooks.onTaskCloned?.(ctx, origin);
    } catch (error) {
      report(error);
    }
  }
}

/**
 * Calls every `onAttemptEnd`, innermost first. The attempt's outcome is already stored, so a hook's
 * error cannot change it: each one is handed to `report` and the other hooks still run.
 */
export async function runAttemptEndHooks(chain: readonly BoundHooks[], end: AttemptEnd, report: (error: unknown) => void): Promise<void> {
  for (const { hooks, ctx } of [...chain].reverse()) {
    try {
      await hooks.onAttemptEnd?.(ctx, end);
    } catch (error) {
      report(error);
    }
  }
}
