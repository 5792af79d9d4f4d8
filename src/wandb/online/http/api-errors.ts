/**
 * Errors of the online W&B client. Each message says what failed, against which server and what
 * to do. None of them ever contains the API key (URLs are printed without credentials).
 */

/** Base class: a request to the W&B server (or an upload host) failed. */
export class WandbApiError extends Error {
  override name = "WandbApiError";
  constructor(
    message: string,
    /** HTTP status, or undefined when no response arrived. */
    readonly status?: number,
  ) {
    super(message);
  }
}

/** 401/403: the server refused the API key. Never retried. */
export class WandbAuthError extends WandbApiError {
  override name = "WandbAuthError";
}

/** 404: the entity, project, run or endpoint does not exist. */
export class WandbNotFoundError extends WandbApiError {
  override name = "WandbNotFoundError";
}

/** The server answered a GraphQL request with errors (HTTP 200 with `errors`, or 400). */
export class WandbGraphQLError extends WandbApiError {
  override name = "WandbGraphQLError";
  constructor(
    readonly operationName: string,
    readonly messages: string[],
    status?: number,
  ) {
    super(`W&B GraphQL operation ${operationName} failed: ${messages.join("; ")}`, status);
  }
}

/** The server could not be reached (or kept failing) after every retry. */
export class WandbUnreachableError extends WandbApiError {
  override name = "WandbUnreachableError";
}

/** An upload's bytes could not be sent or were refused by the storage host. */
export class WandbUploadError extends WandbApiError {
  override name = "WandbUploadError";
}
