/**
 * `%wandb login [KEY] [--relogin] [--host URL] [--no-verify]`, as W&B's `wandb.login()` behaves in
 * notebooks: the key comes from the argument (with a warning: it is now in the cell's source),
 * `WANDB_API_KEY`, `~/.netrc`, or a hidden prompt; its format is checked; the server is asked who it
 * belongs to; it is saved in `~/.netrc` (0600) and the session switches to online. The key itself is
 * never shown, logged or put in an output.
 */
import { ApiKey, InvalidApiKeyError } from "../../wandb/settings/api-key.js";
import { netrcMachine, netrcPath, readNetrcPassword } from "../../wandb/settings/netrc.js";
import { WandbAuthError } from "../../wandb/online/api-errors.js";
import { appUrlFor } from "../../wandb/online/app-urls.js";
import { verifyApiKey, type ViewerInfo } from "../../wandb/online/viewer.js";
import { DEFAULT_BASE_URL, saveApiKey } from "../../wandb/settings/settings.js";
import { escapeHtml } from "../../display/html-escape.js";
import { linkHtml } from "../../display/link.js";
import { StdinUnavailableError } from "../cells/cell-output.js";
import type { MagicAction, MagicContext } from "./magic.js";
import { MagicUsageError, Notice } from "./notice.js";
import { wandbSession } from "./wandb-session-state.js";

/** How a key is checked with the server; injectable so tests can count calls. */
export type KeyVerifier = (host: string, key: string) => Promise<ViewerInfo>;

/** The login action, verifying keys with `verify` (the online client's `verifyApiKey` by default). */
export function loginAction(verify: KeyVerifier = (host, key) => verifyApiKey(host, key)): MagicAction {
  return {
    summary: "Log in to W&B: check an API key with the server, save it in ~/.netrc, switch this session online.",
    arguments: {
      positionals: [{ name: "key", help: "API key (better: leave it out and paste it into the hidden prompt)", optional: true }],
      options: [
        { long: "relogin", help: "ask for a key even if one is already configured" },
        { long: "host", valueName: "URL", help: "the W&B server's API URL (default WANDB_BASE_URL or https://api.wandb.ai)" },
        { long: "no-verify", help: "save the key without asking the server (offline machines)" },
      ],
    },
    async run(args, context) {
      const host = hostFrom(args.options.host, context.env);
      const verifyKey = args.options["no-verify"] !== true;
      const typedKey = args.positionals.key;
      if (typedKey !== undefined) {
        context.output.stream(
          "stderr",
          "wandb: The API key is now part of this cell's source, so anyone who sees the notebook can use it. " +
            "Remove it from the cell and use `%wandb login` without a key (hidden prompt) or WANDB_API_KEY.\n",
        );
        return finish(context, host, parseKey(typedKey, "the %wandb login argument"), verifyKey, verify);
      }
      if (args.options.relogin !== true) {
        const existing = await configuredKey(context.env, host);
        if (existing) {
          if (!verifyKey) return finish(context, host, existing.key, false, verify, existing.source);
          try {
            const viewer = await verify(host, existing.key.reveal());
            switchOnline(context.env, host, viewer);
            return loggedInNotice(host, viewer, `already configured (${existing.source})`);
          } catch (error) {
            if (!(error instanceof WandbAuthError)) throw error;
            context.output.stream("stderr", `wandb: The key from ${existing.source} is no longer accepted by ${host}; enter a new one.\n`);
          }
        }
      }
      return finish(context, host, await askForKey(context, host), verifyKey, verify);
    },
  };
}

function hostFrom(option: string | true | undefined, env: NodeJS.ProcessEnv): string {
  const host = (typeof option === "string" ? option : env.WANDB_BASE_URL || DEFAULT_BASE_URL).replace(/\/+$/, "");
  let url: URL;
  try {
    url = new URL(host);
  } catch {
    throw new MagicUsageError(`%wandb login: --host ${host} is not a URL; use the server's API address, e.g. https://api.wandb.ai`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new MagicUsageError(`%wandb login: --host must be an http(s) URL, not ${url.protocol}`);
  }
  return host;
}

function parseKey(text: string, where: string): ApiKey {
  try {
    return ApiKey.parse(text, where);
  } catch (error) {
    if (error instanceof InvalidApiKeyError) throw new MagicUsageError(error.message);
    throw error;
  }
}

async function configuredKey(env: NodeJS.ProcessEnv, host: string): Promise<{ key: ApiKey; source: string } | undefined> {
  if (env.WANDB_API_KEY) return { key: parseKey(env.WANDB_API_KEY, "WANDB_API_KEY"), source: "WANDB_API_KEY" };
  const file = netrcPath(env);
  const stored = await readNetrcPassword(netrcMachine(host), file);
  return stored === undefined ? undefined : { key: parseKey(stored, file), source: file };
}

async function askForKey(context: MagicContext, host: string): Promise<ApiKey> {
  const app = appUrlFor(host, context.env.WANDB_APP_URL);
  context.output.display(
    new Notice(
      `Logging in to ${host}. Create or copy an API key at ${app}/authorize — store it securely and do not share it.`,
      `Logging in to <code>${escapeHtml(host)}</code>. Create or copy an API key at ${linkHtml(`${app}/authorize`)} — store it securely and do not share it.`,
    ).toMimeBundle(),
  );
  let typed: string;
  try {
    typed = await context.output.prompt({ prompt: "wandb: Paste your API key and press enter (hidden): ", password: true });
  } catch (error) {
    if (!(error instanceof StdinUnavailableError)) throw error;
    throw new MagicUsageError(
      "%wandb login needs an API key, and this Jupyter client cannot ask for one (no stdin, e.g. `jupyter nbconvert --execute`). " +
        "Set WANDB_API_KEY in the environment that starts Jupyter, or run `npx wbflow login` in a terminal once (it saves ~/.netrc), " +
        "or run this cell in an interactive notebook. Until then, runs are kept offline in ./wandb.",
    );
  }
  return parseKey(typed, "the login prompt");
}

async function finish(
  context: MagicContext,
  host: string,
  key: ApiKey,
  verifyKey: boolean,
  verify: KeyVerifier,
  source?: string,
): Promise<Notice> {
  let viewer: ViewerInfo | undefined;
  if (verifyKey) {
    try {
      viewer = await verify(host, key.reveal());
    } catch (error) {
      if (error instanceof WandbAuthError) {
        throw new MagicUsageError(
          `${host} refused this API key; nothing was saved. Copy the key again from ${appUrlFor(host, context.env.WANDB_APP_URL)}/authorize and rerun %wandb login.`,
        );
      }
      throw error;
    }
  }
  const file = netrcPath(context.env);
  if (source === undefined) await saveApiKey(key.reveal(), { base_url: host, netrc_path: file });
  switchOnline(context.env, host, viewer);
  if (!viewer) return new Notice(`W&B API key is configured (${source ?? `saved in ${file}`}); not verified with ${host} (--no-verify). This session now logs online.`);
  return loggedInNotice(host, viewer, source ?? `saved in ${file}`);
}

function switchOnline(env: NodeJS.ProcessEnv, host: string, viewer: ViewerInfo | undefined): void {
  env.WANDB_MODE = "online";
  if (host !== DEFAULT_BASE_URL || env.WANDB_BASE_URL) env.WANDB_BASE_URL = host;
  wandbSession.viewer = viewer;
}

function loggedInNotice(host: string, viewer: ViewerInfo, keyWhere: string): Notice {
  const text = `wandb: Currently logged in as ${viewer.username} (entity ${viewer.entity}) to ${host}; key ${keyWhere}. New runs in this kernel log online. Use %wandb login --relogin to change the key.`;
  const html =
    `wandb: Currently logged in as <strong>${escapeHtml(viewer.username)}</strong> (entity <code>${escapeHtml(viewer.entity)}</code>) ` +
    `to <code>${escapeHtml(host)}</code>; key ${escapeHtml(keyWhere)}. New runs in this kernel log online. Use <code>%wandb login --relogin</code> to change the key.`;
  return new Notice(text, html);
}
