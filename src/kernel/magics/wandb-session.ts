/**
 * `%wandb status | offline | online | logout | project NAME [--entity E]`: the session's W&B
 * settings. They live in the kernel's `WANDB_*` environment variables, which every W&B run started
 * in this kernel reads (see wandb/settings.ts), so a change applies to the next run.
 */
import { netrcMachine, netrcPath, removeNetrcEntry } from "../../wandb/settings/netrc.js";
import { appUrlFor } from "../../wandb/online/app-urls.js";
import { DEFAULT_BASE_URL, resolveSettings, validateProject, InvalidSettingError } from "../../wandb/settings/settings.js";
import { findSyncSources, logsInWandbDir } from "../../wandb/sync/sync-sources.js";
import { htmlTable, textTable } from "../../display/html-table.js";
import type { MagicAction, MagicContext } from "./magic.js";
import { MagicUsageError, Notice } from "./notice.js";
import { wandbSession } from "./wandb-session-state.js";

const KEY_SOURCES = { settings: "given in code", WANDB_API_KEY: "WANDB_API_KEY", netrc: "~/.netrc" } as const;

async function settingsOf(context: MagicContext) {
  return resolveSettings({}, { env: context.env });
}

/** `%wandb status`. */
export const statusAction: MagicAction = {
  summary: "Show where runs go: server, mode, project, login (never the key) and runs not synced yet.",
  arguments: {},
  async run(_args, context) {
    const settings = await settingsOf(context);
    const sources = findSyncSources(logsInWandbDir(settings.wandb_dir));
    const unsynced = sources.filter((s) => !s.alreadySynced).length;
    const viewer = wandbSession.viewer;
    const rows: [string, string][] = [
      ["server", settings.base_url],
      ["app", appUrlFor(settings.base_url, context.env.WANDB_APP_URL)],
      ["mode", settings.mode + (settings.offlineBecause === "no-api-key" ? " (no API key: %wandb login)" : "")],
      ["API key", settings.api_key_source ? `set (from ${KEY_SOURCES[settings.api_key_source]})` : "not set"],
      ["logged in as", viewer ? `${viewer.username} (entity ${viewer.entity})` : "—"],
      ["entity", settings.entity ?? "(the key's default entity)"],
      ["project", settings.project],
      ["wandb dir", settings.wandb_dir],
      ["runs", `${sources.length} in the wandb dir, ${unsynced} not synced${unsynced > 0 ? " (%wandb sync --all)" : ""}`],
    ];
    return new Notice(textTable(["setting", "value"], rows), htmlTable(["setting", "value"], rows, "wbflow-wandb-status"));
  },
};

/** `%wandb offline`. */
export const offlineAction: MagicAction = {
  summary: "Keep new runs offline in ./wandb (sync them later with %wandb sync).",
  arguments: {},
  async run(_args, context) {
    context.env.WANDB_MODE = "offline";
    return new Notice("W&B is offline for this session: new runs are written to ./wandb. Upload them later with %wandb sync --all.");
  },
};

/** `%wandb online`. */
export const onlineAction: MagicAction = {
  summary: "Log new runs to the W&B server (needs an API key: %wandb login).",
  arguments: {},
  async run(_args, context) {
    const settings = await resolveSettings({ mode: "online" }, { env: context.env });
    if (!settings.api_key) {
      throw new MagicUsageError(`There is no API key for ${settings.base_url}, so runs cannot go online. Run %wandb login first.`);
    }
    context.env.WANDB_MODE = "online";
    return new Notice(`W&B is online for this session: new runs are sent to ${settings.base_url}.`);
  },
};

/** `%wandb logout`. */
export const logoutAction: MagicAction = {
  summary: "Remove the saved API key for the server from ~/.netrc and go offline.",
  arguments: { options: [{ long: "host", valueName: "URL", help: "the server whose key to remove (default WANDB_BASE_URL)" }] },
  async run(args, context) {
    const host = (typeof args.options.host === "string" ? args.options.host : context.env.WANDB_BASE_URL || DEFAULT_BASE_URL).replace(/\/+$/, "");
    const file = netrcPath(context.env);
    await removeNetrcEntry(netrcMachine(host), file);
    wandbSession.viewer = undefined;
    context.env.WANDB_MODE = "offline";
    const envNote = context.env.WANDB_API_KEY ? " WANDB_API_KEY is still set in the environment that started Jupyter; unset it there too." : "";
    return new Notice(`Logged out of ${host}: its key was removed from ${file}. New runs stay offline.${envNote}`);
  },
};

/** `%wandb project NAME [--entity E]`. */
export const projectAction: MagicAction = {
  summary: "Set the W&B project (and entity) for new runs in this session.",
  arguments: {
    positionals: [{ name: "name", help: "project name" }],
    options: [{ long: "entity", valueName: "E", help: "team or user the project belongs to" }],
  },
  async run(args, context) {
    const name = args.positionals.name!;
    try {
      validateProject(name);
    } catch (error) {
      if (error instanceof InvalidSettingError) throw new MagicUsageError(error.message);
      throw error;
    }
    context.env.WANDB_PROJECT = name;
    if (typeof args.options.entity === "string") context.env.WANDB_ENTITY = args.options.entity;
    const entity = context.env.WANDB_ENTITY ? ` (entity ${context.env.WANDB_ENTITY})` : "";
    return new Notice(`New runs in this session go to project ${name}${entity}.`);
  },
};
