import { inspect } from "node:util";

/**
 * What every client object shares: it is named by a pathspec and prints as `Run('Flow/123')`
 * (in notebooks, in console.log and in template strings) instead of dumping its internals.
 */
export abstract class ClientObject {
  /** e.g. "Flow/123/train/4" */
  abstract readonly pathspec: string;
  /** Class name as printed, e.g. "Run". */
  protected abstract readonly kind: string;

  toString(): string {
    return `${this.kind}('${this.pathspec}')`;
  }

  [inspect.custom](): string {
    return this.toString();
  }
}
