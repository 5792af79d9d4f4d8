/**
 * The one login flow behind `wbflow login` (CLI) and `%wandb login` (notebook magic): which server,
 * which key (given, already configured, or asked for), its format, who it belongs to (the server's
 * Viewer query, unless `verify` is false), and saving it in `~/.netrc` (0600). Both front ends take
 * the same options and show the same messages; they differ only in how they ask and print
 * (`LoginFrontEnd`). The key is never printed, logged or put in a message.
 */
import type { ViewerInfo } from "../online/viewer.js";
import { appUrlFor } from "../online/app-urls.js";
import { WandbApiError, WandbAuthError } from "../online/http/api-errors.js";
import { ApiKey, InvalidApiKeyError } from "./api-key.js";
import { netrcMachine, netrcPath, readNetrcPassword } from "./netrc.js";
import { DEFAULT_BASE_URL, InvalidSettingError, redactUrl, saveApiKey } from "./settings.js";

/** Asks the server who a key belongs to; rejects with `WandbAuthError` when it refuses the key. */
export type KeyVerifier = (host: string, key: string) => Promise<ViewerInfo>;

/** What the person asked for: the same options on the command line and in the magic. */
export interface LoginOptions {
  /** A key given with the command (otherwise a configured one, else the front end asks). */
  key?: string;
  /** Ask for a new key even when one is configured. */
  relogin?: boolean;
  /** The server's API URL (default `WANDB_BASE_URL`, else https://api.wandb.ai). */
  host?: string;
  /** Save the key without asking the server (offline machines). Default: verify. */
  verify?: boolean;
}

/** How a front end talks to the person. */
export interface LoginFrontEnd {
  /** The command the person typed (`wbflow login`, `%wandb login`), for hints in messages. */
  readonly command: string;
  /** Where a key given with the command came from, for messages (e.g. "the command line"). */
  readonly givenKeySource: string;
  /** The environment settings are read from (`WANDB_BASE_URL`, `WANDB_API_KEY`, `NETRC`, `WANDB_APP_URL`). */
  readonly env: NodeJS.ProcessEnv;
  /** Shows a line of information (e.g. where to get a key) before asking. */
  inform(text: string, link?: string): void;
  /** Shows a warning. */
  warn(text: string): void;
  /** Asks for the key with `question`, hidden. Rejects with `LoginError` when it cannot ask. */
  askForKey(question: string): Promise<string>;
}

/** How a login ended. */
export interface LoginResult {
  /** The server, without trailing slashes. */
  host: string;
  /** Who the key belongs to; undefined when not verified (`verify: false`). */
  viewer?: ViewerInfo;
  /** Where the key is: "saved in <netrc>", "already configured (WANDB_API_KEY)"… */
  keyWhere: string;
  /** The message both front ends show. */
  message: string;
}

/** A login that cannot go on: a refused or malformed key, or no way to ask for one. Nothing was saved. */
export class LoginError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "LoginError";
  }
}

/** A server URL (the `host` option) that is not a usable W&B API URL. */
export class InvalidServerUrlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InvalidServerUrlError";
  }
}

/** The default verifier: the online client's Viewer query, loaded only when a key is checked. */
const viewerQuery: KeyVerifier = async (host, key) => (await import("../online/viewer.js")).verifyApiKey(host, key);

/** Runs the login flow; rejects with `LoginError`, `InvalidServerUrlError` or `InvalidSettingError` (nothing saved then). */
export async function login(options: LoginOptions, frontEnd: LoginFrontEnd, verifyKey: KeyVerifier = viewerQuery): Promise<LoginResult> {
  const { env } = frontEnd;
  const host = validateServerUrl(options.host ?? (env["WANDB_BASE_URL"] || DEFAULT_BASE_URL));
  const verify = options.verify !== false;
  const session = new LoginSession(host, frontEnd, verify ? verifyKey : undefined);
  if (options.key !== undefined) return session.saveKey(parseKey(options.key, frontEnd.givenKeySource));
  if (options.relogin !== true) {
    const configured = await configuredKey(env, host, frontEnd);
    if (configured) {
      const result = await session.checkConfigured(configured);
      if (result) return result;
    }
  }
  const app = appUrlFor(host, env["WANDB_APP_URL"]);
  frontEnd.inform(`Logging in to ${host}. Create or copy an API key at ${app}/authorize — store it securely and do not share it.`, `${app}/authorize`);
  const typed = await frontEnd.askForKey(`Paste your API key from ${app}/authorize and press enter (it will not be shown): `);
  return session.saveKey(parseKey(typed, "the login prompt"));
}

/**
 * Checks a server URL as W&B does: an http(s) URL; for wandb.ai, the API host (`api.`) over https.
 * Returns it without trailing slashes. (Also the CLI's `--host` rule for logout, status and sync.)
 */
export function validateServerUrl(host: string): string {
  const trimmed = host.replace(/\/+$/, "");
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    throw new InvalidServerUrlError(`--host ${redactUrl(host)} is not a URL; give the API URL, e.g. https://api.wandb.ai`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    // Often from WANDB_BASE_URL rather than the command line: a settings error, not a usage error.
    throw new InvalidSettingError("base_url", redactUrl(host), "it must be an http:// or https:// URL such as https://api.wandb.ai");
  }
  if (url.hostname.endsWith("wandb.ai")) {
    if (!url.hostname.startsWith("api.")) throw new InvalidServerUrlError(`${redactUrl(host)} is W&B's web app, not its API; use https://api.wandb.ai`);
    if (url.protocol !== "https:") throw new InvalidServerUrlError(`${redactUrl(host)} must use https`);
  }
  return trimmed;
}

/** A key found in the environment or `~/.netrc`, and where. */
interface ConfiguredKey {
  key: ApiKey;
  source: string;
}

/** The key already configured for `host`; a malformed one is reported and treated as none. */
async function configuredKey(env: NodeJS.ProcessEnv, host: string, frontEnd: LoginFrontEnd): Promise<ConfiguredKey | undefined> {
  const file = netrcPath(env);
  const [text, source] = env["WANDB_API_KEY"] ? [env["WANDB_API_KEY"], "WANDB_API_KEY"] : [await readNetrcPassword(netrcMachine(host), file), file];
  if (text === undefined) return undefined;
  try {
    return { key: ApiKey.parse(text, source), source };
  } catch (error) {
    if (!(error instanceof InvalidApiKeyError)) throw error;
    frontEnd.warn(`${error.message} Enter a new one.`);
    return undefined;
  }
}

function parseKey(text: string, where: string): ApiKey {
  try {
    return ApiKey.parse(text, where);
  } catch (error) {
    if (error instanceof InvalidApiKeyError) throw new LoginError(error.message);
    throw error;
  }
}

/** One login's steps once the host and mode (verify or not) are known. */
class LoginSession {
  constructor(
    private readonly host: string,
    private readonly frontEnd: LoginFrontEnd,
    private readonly verifyKey: KeyVerifier | undefined,
  ) {}

  /** Keeps a configured key if the server accepts it; undefined (after a warning) when it does not. */
  async checkConfigured({ key, source }: ConfiguredKey): Promise<LoginResult | undefined> {
    const keyWhere = `already configured (${source})`;
    if (!this.verifyKey) return this.result(undefined, keyWhere);
    try {
      return this.result(await this.verifyKey(this.host, key.reveal()), keyWhere);
    } catch (error) {
      if (!(error instanceof WandbAuthError)) throw this.unverified(error);
      this.frontEnd.warn(`The key from ${source} is no longer accepted by ${this.host}; enter a new one.`);
      return undefined;
    }
  }

  /** Verifies (unless told not to) and saves a new key. */
  async saveKey(key: ApiKey): Promise<LoginResult> {
    let viewer: ViewerInfo | undefined;
    if (this.verifyKey) {
      try {
        viewer = await this.verifyKey(this.host, key.reveal());
      } catch (error) {
        if (!(error instanceof WandbAuthError)) throw this.unverified(error);
        const app = appUrlFor(this.host, this.frontEnd.env["WANDB_APP_URL"]);
        throw new LoginError(
          `${this.host} refused this API key; nothing was saved. Copy the key again from ${app}/authorize and rerun ${this.frontEnd.command}.`,
        );
      }
    }
    const file = netrcPath(this.frontEnd.env);
    await saveApiKey(key.reveal(), { base_url: this.host, netrc_path: file });
    return this.result(viewer, `saved in ${file}`);
  }

  /**
   * The server could not say whether the key is good (unreachable, a redirect, an error answer):
   * a one-line `LoginError` saying what happened and what to do; other errors stay as they are.
   */
  private unverified(error: unknown): unknown {
    if (!(error instanceof WandbApiError)) return error;
    return new LoginError(
      `could not check the key with ${this.host}: ${error.message.replace(/\.?$/, ".")} Nothing was saved. Check the server's API URL ` +
        `(--host or WANDB_BASE_URL) and your network, or save the key without checking: ${this.frontEnd.command} --no-verify.`,
    );
  }

  private result(viewer: ViewerInfo | undefined, keyWhere: string): LoginResult {
    const message = viewer
      ? `Currently logged in as ${viewer.username} (entity ${viewer.entity}) to ${this.host}; key ${keyWhere}. ` +
        `Use ${this.frontEnd.command} --relogin to change the key.`
      : `W&B API key ${keyWhere} for ${this.host}; not verified with the server (--no-verify).`;
    return { host: this.host, ...(viewer ? { viewer } : {}), keyWhere, message };
  }
}
