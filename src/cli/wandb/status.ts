/**
 * `wbflow status`: where runs go and with which credentials — server, mode, project, key source
 * (never the key), the wandb directory and how many runs there are not synced yet. No network.
 */
import { appUrlFor } from "../../wandb/online/app-urls.js";
import { findSyncSources, logsInWandbDir } from "../../wandb/sync/sync-sources.js";
import { redactUrl } from "../../wandb/settings/settings.js";
import { settingsOrReport } from "./settings-or-report.js";
import { CliUsageError, type CliCommand } from "../command.js";
import { parseHostOption, validateHost } from "./host-option.js";

const KEY_SOURCES = { settings: "given in code", WANDB_API_KEY: "WANDB_API_KEY", netrc: "~/.netrc" } as const;

/** `wbflow status`. */
export const statusCommand: CliCommand = {
  name: "status",
  summary: "Show the W&B server, mode, project, login and unsynced runs",
  usage: [
    "Usage: wbflow status [--host URL]",
    "",
    "Prints the W&B settings this directory would use (from WANDB_* variables and ~/.netrc),",
    "whether an API key is available (the key itself is never shown) and how many runs in the",
    "wandb directory are waiting for `wbflow sync`.",
  ].join("\n"),
  async run(args) {
    const { host, rest } = parseHostOption(args);
    if (rest.length > 0) throw new CliUsageError(`unexpected argument ${rest[0]}`);
    const settings = await settingsOrReport("status", host !== undefined ? { base_url: validateHost(host) } : {});
    if (!settings) return 1;
    const sources = findSyncSources(logsInWandbDir(settings.wandb_dir));
    const unsynced = sources.filter((s) => !s.alreadySynced).length;
    const key = settings.api_key_source
      ? `set (from ${KEY_SOURCES[settings.api_key_source]})`
      : settings.api_key_problem
        ? `unusable — ${settings.api_key_problem}`
        : "not set — run `wbflow login`";
    const lines: Array<[string, string]> = [
      // A base URL may carry `user:password@`; it is never printed.
      ["server", redactUrl(settings.base_url)],
      ["app", redactUrl(appUrlFor(settings.base_url, process.env["WANDB_APP_URL"]))],
      ["mode", settings.mode + (settings.offlineBecause === "no-api-key" ? " (no API key)" : "")],
      ["API key", key],
      ["entity", settings.entity ?? "(the key's default entity)"],
      ["project", settings.project],
      ["netrc", settings.netrc_path],
      ["wandb dir", settings.wandb_dir],
      ["runs", `${sources.length} in the wandb dir, ${unsynced} not synced${unsynced > 0 ? " — upload with `wbflow sync --all`" : ""}`],
    ];
    const width = Math.max(...lines.map(([label]) => label.length));
    for (const [label, value] of lines) console.log(`${label.padEnd(width)}  ${value}`);
    return 0;
  },
};
