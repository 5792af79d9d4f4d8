/** Errors the datastore raises; each says what is missing or wrong, where, and what to do. */

/** Base class of every datastore error. */
export class DatastoreError extends Error {
  override name = "DatastoreError";
}

/** The latest started attempt of a task has no done marker (still running, failed, or killed). */
export class TaskNotFinishedError extends DatastoreError {
  override name = "TaskNotFinishedError";
  constructor(readonly pathspec: string, readonly attempt: number | undefined, reason: string) {
    super(`Task ${pathspec}${attempt === undefined ? "" : ` attempt ${attempt}`} has no finished data: ${reason}.`);
  }
}

/** A flow, run, step, task or blob that is not in the datastore. */
export class DatastoreNotFoundError extends DatastoreError {
  override name = "DatastoreNotFoundError";
  constructor(readonly what: string, readonly root: string, hint: string) {
    super(`${what} is not in the datastore at ${root}. ${hint}`);
  }
}

/** A flow, run, step or task name that cannot be a folder name. */
export class InvalidStoreNameError extends DatastoreError {
  override name = "InvalidStoreNameError";
  constructor(kind: string, value: string) {
    super(
      `Invalid ${kind} ${JSON.stringify(value)}: it becomes a folder name, so it must be non-empty, ` +
        `must not start with "." and must not contain "/", "\\" or NUL. Rename it.`,
    );
  }
}

/** Stored bytes that do not match what the index says (a damaged or hand-edited store). */
export class DatastoreCorruptError extends DatastoreError {
  override name = "DatastoreCorruptError";
}

/** An artifact stored by a codec this process has not registered. */
export class UnknownCodecError extends DatastoreError {
  override name = "UnknownCodecError";
  constructor(readonly codecId: string, artifact: string) {
    super(
      `Artifact ${artifact} was stored with codec "${codecId}", which is not registered in this process. ` +
        `Call registerCodec(...) (or registerModelType(...) for models) with that codec before reading it.`,
    );
  }
}
