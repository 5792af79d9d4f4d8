/** The `--host URL` option shared by login, logout, status and sync, and W&B's host rules. */
import { InvalidSettingError, redactUrl } from "../wandb/settings/settings.js";
import { CliUsageError } from "./command.js";

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
 * Checks a server URL as W&B does (reference §1.1): a URL; for wandb.ai it must be the API host
 * (`api.` in it) over https. Returns it without trailing slashes.
 */
export function validateHost(host: string): string {
  const trimmed = host.replace(/\/+$/, "");
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    throw new CliUsageError(`--host ${redactUrl(host)} is not a URL; give the API URL, e.g. https://api.wandb.ai`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    // Often from WANDB_BASE_URL rather than the command line: one line, no usage text.
    throw new InvalidSettingError("base_url", redactUrl(host), "it must be an http:// or https:// URL such as https://api.wandb.ai");
  }
  if (url.hostname.endsWith("wandb.ai")) {
    if (!url.hostname.startsWith("api.")) throw new CliUsageError(`${host} is W&B's web app, not its API; use https://api.wandb.ai`);
    if (url.protocol !== "https:") throw new CliUsageError(`${host} must use https`);
  }
  return trimmed;
}
