/** The `--host URL` option shared by login, logout, status and sync, and W&B's host rules. */
import { InvalidServerUrlError, validateServerUrl } from "../../wandb/settings/login.js";
import { CliUsageError } from "../command.js";

/** Takes `--host URL` / `--host=URL` out of `args`. */
export function parseHostOption(args: string[]): { host: string | undefined; rest: string[] } {
  const rest: string[] = [];
  let host: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "--host") {
      host = args[++i];
      if (host === undefined) throw new CliUsageError("--host needs a URL");
    } else if (arg.startsWith("--host=")) host = arg.slice("--host=".length);
    else rest.push(arg);
  }
  return { host, rest };
}

/**
 * Checks a `--host` URL with W&B's rules (see `validateServerUrl`): a malformed one is a usage error;
 * a non-http(s) one (often from WANDB_BASE_URL) an `InvalidSettingError`, reported in one line.
 */
export function validateHost(host: string): string {
  try {
    return validateServerUrl(host);
  } catch (error) {
    if (error instanceof InvalidServerUrlError) throw new CliUsageError(error.message);
    throw error;
  }
}
