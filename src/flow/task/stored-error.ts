/** An error as a step's artifacts keep it (`_exception`, `@catch`'s variable): plain data. */

/** The exception as stored in `_exception` and `@catch`'s variable. */
export interface StoredError {
  type: string;
  message: string;
  stack: string | undefined;
}

/** The stored form of an error. */
export function storedErrorOf(error: Error): StoredError {
  return { type: error.name, message: error.message, stack: error.stack };
}

/** A thrown value as an Error (a step may throw anything). */
export function toError(value: unknown): Error {
  return value instanceof Error ? value : new Error(`A step threw a non-Error value: ${String(value)}`);
}
