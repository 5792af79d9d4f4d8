/**
 * `%wandb login [KEY] [--relogin] [--host URL] [--no-verify]`: the notebook front end of the login
 * flow shared with `wbflow login` (wandb/settings/login.ts): same options, same messages. The key
 * comes from the argument (with a warning: it is now in the cell's source), `WANDB_API_KEY`,
 * `~/.netrc`, or a hidden stdin prompt. After a login the session switches to online. The key itself
 * is never shown, logged or put in an output.
 */
import type { ViewerInfo } from "../../wandb/online/viewer.js";
import { login, LoginError, InvalidServerUrlError, type KeyVerifier, type LoginFrontEnd } from "../../wandb/settings/login.js";
import { DEFAULT_BASE_URL, InvalidSettingError } from "../../wandb/settings/settings.js";
import { escapeHtml } from "../../display/html-escape.js";
import { linkHtml } from "../../display/link.js";
import { StdinUnavailableError } from "../cells/cell-output.js";
import type { MagicAction, MagicContext } from "./magic.js";
import { MagicUsageError, Notice } from "./notice.js";
import { wandbSession } from "./wandb-session-state.js";

export type { KeyVerifier } from "../../wandb/settings/login.js";

/** The login action, verifying keys with `verify` (the online client's Viewer query by default). */
export function loginAction(verify?: KeyVerifier): MagicAction {
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
      const key = args.positionals.key;
      if (key !== undefined) {
        context.output.stream(
          "stderr",
          "wandb: The API key is now part of this cell's source, so anyone who sees the notebook can use it. " +
            "Remove it from the cell and use `%wandb login` without a key (hidden prompt) or WANDB_API_KEY.\n",
        );
      }
      const host = args.options.host;
      try {
        const result = await login(
          {
            ...(key !== undefined ? { key } : {}),
            ...(typeof host === "string" ? { host } : {}),
            relogin: args.options.relogin === true,
            verify: args.options["no-verify"] !== true,
          },
          notebookFrontEnd(context),
          verify,
        );
        switchOnline(context.env, result.host, result.viewer);
        return resultNotice(result.message, result.viewer);
      } catch (error) {
        if (error instanceof LoginError || error instanceof InvalidServerUrlError || error instanceof InvalidSettingError) {
          throw new MagicUsageError(`%wandb login: ${error.message}`);
        }
        throw error;
      }
    },
  };
}

/** The notebook: information as a notice with a link, warnings on stderr, the key through a hidden stdin prompt. */
function notebookFrontEnd(context: MagicContext): LoginFrontEnd {
  return {
    command: "%wandb login",
    givenKeySource: "the %wandb login argument",
    env: context.env,
    inform: (text, link) => {
      const html = link ? escapeHtml(text).replace(escapeHtml(link), linkHtml(link)) : escapeHtml(text);
      context.output.display(new Notice(text, html).toMimeBundle());
    },
    warn: (text) => context.output.stream("stderr", `wandb: ${text}\n`),
    askForKey: async (question) => {
      try {
        return await context.output.prompt({ prompt: `wandb: ${question}`, password: true });
      } catch (error) {
        if (!(error instanceof StdinUnavailableError)) throw error;
        throw new LoginError(
          "an API key is needed, and this Jupyter client cannot ask for one (no stdin, e.g. `jupyter nbconvert --execute`). " +
            "Set WANDB_API_KEY in the environment that starts Jupyter, or run `npx wbflow login` in a terminal once (it saves ~/.netrc), " +
            "or run this cell in an interactive notebook. Until then, runs are kept offline in ./wandb.",
        );
      }
    },
  };
}

function switchOnline(env: NodeJS.ProcessEnv, host: string, viewer: ViewerInfo | undefined): void {
  env.WANDB_MODE = "online";
  if (host !== DEFAULT_BASE_URL || env.WANDB_BASE_URL) env.WANDB_BASE_URL = host;
  wandbSession.viewer = viewer;
}

function resultNotice(message: string, viewer: ViewerInfo | undefined): Notice {
  const text = `wandb: ${message} New runs in this kernel log online.`;
  if (!viewer) return new Notice(text);
  const html = escapeHtml(text).replace(escapeHtml(viewer.username), `<strong>${escapeHtml(viewer.username)}</strong>`);
  return new Notice(text, html);
}
