/**
 * Task middleware: the extension point through which step decorators (and the W&B integration) run
 * code around a step body, inside the task's async context.
 */
import type { ArtifactRecord } from "../datastore/datastore.js";
import type { ForeachFrame } from "./foreach.js";
import type { DecoratorOptions } from "../define/step-decorator.js";

/** Where a step read a stored artifact from. */
export type ArtifactReadSource =
  /** `this.x`: the task's own (inherited, parameter or constant) artifact. */
  | { kind: "self" }
  /** `inputs[i].x` or `inputs.step.x` in a join: the input task with this pathspec. */
  | { kind: "input"; pathspec: string };

/** One read of a stored artifact by the step body. */
export interface ArtifactRead {
  name: string;
  record: ArtifactRecord;
  source: ArtifactReadSource;
}

/** What the step body does with artifacts, as seen by middleware. */
export interface ArtifactActivity {
  /** Calls `listener` on every read of a stored artifact (each read, not only the first). */
  onRead(listener: (read: ArtifactRead) => void): void;
  /** Calls `listener` on every assignment `this.name = ...`. */
  onWrite(listener: (name: string) => void): void;
  /** Names written by the body with their current values; complete once the body has finished. */
  written(): ReadonlyMap<string, unknown>;
}

/** What middleware knows about the task it wraps. */
export interface TaskContext<O extends DecoratorOptions = DecoratorOptions> {
  readonly flowName: string;
  readonly runId: string;
  readonly stepName: string;
  readonly taskId: string;
  /** `Flow/run/step/task`. */
  readonly pathspec: string;
  /** 0 on the first attempt, then 1, 2... on retries. */
  readonly retryCount: number;
  /** Index of the innermost foreach split this task belongs to, or undefined. */
  readonly foreachIndex: number | undefined;
  /** Foreach frames from the outermost to the innermost split. */
  readonly foreachStack: readonly ForeachFrame[];
  /** Parameter values by parameter name. */
  readonly parameters: Readonly<Record<string, unknown>>;
  /** Attribute names of the parameters (Metaflow's `current.parameter_names`). */
  readonly parameterNames: readonly string[];
  /** The options of the decorator this middleware belongs to. */
  readonly decoratorOptions: O;
  /** Every decorator that applies to this step, by name, with its options. */
  readonly decorators: ReadonlyMap<string, DecoratorOptions>;
  /** Records a JSON value in this task's stored metadata under `key`. */
  addMetadata(key: string, value: unknown): void;
  /** Observes artifact reads and writes of the step body. */
  readonly artifacts: ArtifactActivity;
  /**
   * Reads the stored metadata of another (e.g. upstream) finished task of any run, by
   * `Flow/run/step/task`. The object is shared by every caller in the run: read it, do not change it.
   */
  readTaskMetadata(pathspec: string): Promise<Readonly<Record<string, unknown>>>;
}

/**
 * Runs around a step body: call `next()` to run the rest of the chain and the body. Exceptions of the
 * body reach the middleware through `next()`; rethrow them unless the middleware handles the failure.
 */
export type TaskMiddleware<O extends DecoratorOptions = DecoratorOptions> = (
  ctx: TaskContext<O>,
  next: () => Promise<void>,
) => Promise<void>;

/** Composes middleware so the first in the list is the outermost. */
export function composeMiddleware(
  chain: ReadonlyArray<{ middleware: TaskMiddleware; ctx: TaskContext }>,
  body: () => Promise<void>,
): () => Promise<void> {
  return chain.reduceRight<() => Promise<void>>(
    (next, { middleware, ctx }) =>
      () =>
        middleware(ctx, next),
    body,
  );
}
