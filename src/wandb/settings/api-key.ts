/**
 * W&B API keys: validation with W&B's rules (reference §1.2) and a wrapper that keeps the secret out
 * of logs. `String(key)`, `JSON.stringify(key)` and `console.log(key)` all print a placeholder; only
 * `reveal()` returns the secret, for the one place that needs it (an Authorization header or ~/.netrc).
 */
import { inspect } from "node:util";

/** Raised for a string that cannot be a W&B API key. The message never contains the key. */
export class InvalidApiKeyError extends Error {
  constructor(reason: string, where: string) {
    super(
      `The W&B API key from ${where} is not valid: ${reason}. ` +
        `Copy the key again from https://wandb.ai/authorize (keys are 40 or more letters, digits, '_' or '-', ` +
        `optionally after a 'prefix-').`,
    );
    this.name = "InvalidApiKeyError";
  }
}

const HIDDEN = "[W&B API key hidden]";

/** A validated API key whose text is never shown by accident. */
export class ApiKey {
  readonly #secret: string;

  private constructor(secret: string) {
    this.#secret = secret;
  }

  /**
   * Validates `text` as W&B does: a JWT (`a.b.c`) is accepted as is; otherwise the part after the
   * first `-` (or the whole key) must be ≥ 40 characters of `[A-Za-z0-9_-]`. `where` names the source
   * (e.g. "WANDB_API_KEY") for the error message.
   */
  static parse(text: string, where: string): ApiKey {
    const key = text.trim();
    if (/^[\w-]+\.[\w-]+\.[\w-]+$/.test(key)) return new ApiKey(key);
    const dash = key.indexOf("-");
    const secret = dash >= 0 ? key.slice(dash + 1) : key;
    if (!/^[A-Za-z0-9_-]+$/.test(secret)) {
      throw new InvalidApiKeyError("it contains characters other than letters, digits, '_' and '-'", where);
    }
    if (secret.length < 40) {
      throw new InvalidApiKeyError(`its secret part has ${secret.length} characters, at least 40 are needed`, where);
    }
    return new ApiKey(key);
  }

  /** The secret itself. Use only to authenticate a request or to write ~/.netrc. */
  reveal(): string {
    return this.#secret;
  }

  toString(): string {
    return HIDDEN;
  }

  toJSON(): string {
    return HIDDEN;
  }

  [inspect.custom](): string {
    return HIDDEN;
  }
}
