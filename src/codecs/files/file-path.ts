import { resolve } from "node:path";

/**
 * A file or folder to persist by content. Storing `new FilePath("data/")` stores the folder's
 * files (as a deterministic archive), not the path string; reading it back gives a `FilePath` to an
 * unpacked copy of that content (under `materializeRoot()`, shared by every reader of the same
 * content: treat it as read-only).
 */
export class FilePath {
  /** Absolute path of the file or folder. */
  readonly path: string;

  constructor(path: string) {
    if (typeof path !== "string" || path.length === 0) {
      throw new TypeError("FilePath needs a non-empty path string, e.g. new FilePath('data/train.csv').");
    }
    this.path = resolve(path);
  }

  toString(): string {
    return this.path;
  }
}
