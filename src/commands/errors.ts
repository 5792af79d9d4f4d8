/** Errors the shared verbs raise (`wbflow logs|dump|tag|...` and the matching `%flow` magics). */

/**
 * A flow, run, step, task or artifact that is not in the datastore. The message is one line: what
 * is missing, where, and the nearest names that do exist.
 */
export class NotFoundError extends Error {
  override name = "NotFoundError";
}

/** A command given the wrong kind of thing (e.g. a run where a task is needed); says what to give. */
export class CommandInputError extends Error {
  override name = "CommandInputError";
}
