/** Errors of the client API (reading past runs). */

/** A pathspec with the wrong number of parts for the object it should name. */
export class InvalidPathspecError extends Error {
  override name = "InvalidPathspecError";
  constructor(kind: string, expected: string, got: string) {
    super(`${kind} expects a pathspec like "${expected}", got ${JSON.stringify(got)}.`);
  }
}

/** A flow, run, step, task or artifact that does not exist in the datastore. */
export class ClientNotFoundError extends Error {
  override name = "ClientNotFoundError";
  constructor(readonly description: string, readonly root: string, hint: string) {
    super(`${description} does not exist in the datastore at ${root}. ${hint}`);
  }
}
