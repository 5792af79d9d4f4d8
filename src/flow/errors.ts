/**
 * Error classes of the flow engine. Each message says what happened, where (flow, step, attribute)
 * and what to do; the class tells callers which kind of mistake it was.
 */

/** A mistake in how a flow class is written: decorators, parameters, step declarations. */
export class FlowDefinitionError extends Error {
  override name = "FlowDefinitionError";
}

/** The flow's graph breaks a structural rule; raised by `check()` and before every run. */
export class LintError extends Error {
  override name = "LintError";
  constructor(
    message: string,
    /** The lint rule that failed, e.g. "splitJoinBalance". */
    readonly rule: string,
    /** The step the message is about, when there is one. */
    readonly step?: string,
  ) {
    super(message);
  }
}

/** A step called `this.next(...)` in a way that is invalid or disagrees with the static graph. */
export class InvalidNextError extends Error {
  override name = "InvalidNextError";
}

/** A parameter value is missing, malformed or of the wrong type. */
export class ParameterError extends Error {
  override name = "ParameterError";
}

/** A step assigned a parameter or a flow-level constant, which are read-only during a run. */
export class ReadOnlyAttributeError extends Error {
  override name = "ReadOnlyAttributeError";
}

/** `mergeArtifacts` found artifacts whose values differ between the joined branches. */
export class MergeConflictError extends Error {
  override name = "MergeConflictError";
  constructor(
    message: string,
    /** The names whose values conflict. */
    readonly artifactNames: string[],
  ) {
    super(message);
  }
}

/** `mergeArtifacts` was told to include artifacts that no input has. */
export class MergeMissingError extends Error {
  override name = "MergeMissingError";
  constructor(
    message: string,
    /** The requested names that are present nowhere. */
    readonly artifactNames: string[],
  ) {
    super(message);
  }
}

/** A flow API (`this.next`, `this.input`, `mergeArtifacts`...) was used outside of a running task. */
export class NotInTaskError extends Error {
  override name = "NotInTaskError";
}

/** A step ran longer than its `@timeout`. */
export class StepTimeoutError extends Error {
  override name = "StepTimeoutError";
}

/** A foreach split cannot be fanned out: zero splits, too many splits, or a non-iterable value. */
export class ForeachError extends Error {
  override name = "ForeachError";
}

/**
 * A run failed or was interrupted: names the step and task that failed; `cause` is the step's error
 * (or, when `interrupted`, the stop signal's reason).
 */
export class FlowRunError extends Error {
  override name = "FlowRunError";
  /** The failed run's handle (its tasks and saved data), when the run got far enough to have one. */
  run?: import("./runtime/run-handle.js").FlowRun;
  /** True when the run was stopped (its `signal`, or the notebook's interrupt) rather than failed. */
  readonly interrupted: boolean;
  constructor(
    message: string,
    readonly flowName: string,
    readonly runId: string,
    readonly stepName: string | undefined,
    readonly taskId: string | undefined,
    options?: { cause?: unknown; interrupted?: boolean },
  ) {
    super(message, options);
    this.interrupted = options?.interrupted === true;
  }
}

/** `resume` cannot find what it should resume from (no origin run, unknown step...). */
export class ResumeError extends Error {
  override name = "ResumeError";
}

/** A value a step assigned cannot be stored (no codec handles it); names the step and attribute. */
export class ArtifactStoreError extends Error {
  override name = "ArtifactStoreError";
  constructor(
    message: string,
    readonly stepName: string,
    readonly artifactName: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The worker process running a task attempt died or was ended (killed, out of memory, `process.exit`). */
export class WorkerLostError extends Error {
  override name = "WorkerLostError";
}

/**
 * A task attempt that never ran: its run had already failed in another task when the attempt was still
 * waiting for a worker (a job in the queue), and it was taken back, as an in-process run starts no task
 * after a failure. Stored as the attempt's failure; neither @retry nor @catch applies, `resume` runs it.
 */
export class TaskNotRunError extends Error {
  override name = "TaskNotRunError";
}

/** A worker process could not import the flow's module, so it cannot run the run's attempts. */
export class FlowModuleImportError extends Error {
  override name = "FlowModuleImportError";
}

/**
 * A task attempt was stopped because its run was interrupted (the run's `signal`, the notebook's
 * interrupt). Stored as the attempt's failure; neither @retry nor @catch applies to it, so `resume`
 * runs the task again.
 */
export class TaskInterruptedError extends Error {
  override name = "TaskInterruptedError";
}
