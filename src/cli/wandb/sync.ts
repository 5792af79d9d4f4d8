/** `wbflow sync [PATH ...] [--all]`: uploads runs kept offline to the W&B server. */
import { redactUrl } from "../../wandb/settings/settings.js";
import { settingsOrReport } from "./settings-or-report.js";
import { syncRuns, type SyncedRun } from "../../wandb/sync/sync.js";
import { isLeftAlone, syncTotalsLine } from "../../wandb/sync/sync-totals.js";
import { findSyncSources, SyncPathError } from "../../wandb/sync/sync-sources.js";
import { wandbSyncCommands } from "../../wandb/sync/wandb-sync-order.js";
import { CliUsageError, type CliCommand } from "../command.js";
import { parseHostOption, validateHost } from "./host-option.js";
import { uploadProgressReporter } from "./upload-progress.js";

function takeValue(args: string[], name: string): string | undefined {
  const index = args.findIndex((a) => a === name || a.startsWith(`${name}=`));
  if (index < 0) return undefined;
  const arg = args[index]!;
  if (arg.includes("=")) {
    args.splice(index, 1);
    return arg.slice(name.length + 1);
  }
  const value = args[index + 1];
  if (value === undefined) throw new CliUsageError(`${name} needs a value`);
  args.splice(index, 2);
  return value;
}

/** `wbflow sync`. */
export const syncCommand: CliCommand = {
  name: "sync",
  summary: "Upload runs kept offline to the W&B server",
  usage: [
    "Usage: wbflow sync [PATH ...] [--all] [--include-synced] [--entity E] [--project P] [--host URL] [--print-wandb-commands]",
    "",
    "Uploads each run (history, summary, console, files, artifacts and lineage) and marks it synced.",
    "PATH is a run directory (wandb/offline-run-…), its .wandb file, or a wandb/ directory.",
    "  --all             every run in this directory's wandb/ folder (WANDB_DIR) not synced yet",
    "                    (an online run that has not finished is left to the process running it)",
    "  --include-synced  send runs already marked synced again (nothing is duplicated)",
    "  --entity, --project  used for runs whose log names none",
    "  --host URL        the server's API URL (default: WANDB_BASE_URL or https://api.wandb.ai)",
    "  --print-wandb-commands  upload nothing: print the `wandb sync` commands that upload these runs",
    "                    with W&B's own CLI without losing lineage (one run each, producers first;",
    "                    run them one after the other)",
  ].join("\n"),
  async run(argv) {
    const { host, rest } = parseHostOption(argv);
    const args = [...rest];
    const entity = takeValue(args, "--entity");
    const project = takeValue(args, "--project");
    const all = args.includes("--all");
    const includeSynced = args.includes("--include-synced");
    const printWandbCommands = args.includes("--print-wandb-commands");
    const paths = args.filter((a) => a !== "--all" && a !== "--include-synced" && a !== "--print-wandb-commands");
    const unknown = paths.find((a) => a.startsWith("-"));
    if (unknown) throw new CliUsageError(`unknown option ${unknown}`);
    if (all === paths.length > 0) throw new CliUsageError("give run paths or --all (not both, not neither)");
    if (printWandbCommands) return printCommands(all, paths, includeSynced);

    // A path with no runs is the first thing to fix, whatever the key.
    if (!all) {
      try {
        findSyncSources(paths);
      } catch (error) {
        if (!(error instanceof SyncPathError)) throw error;
        console.error(error.message);
        return 1;
      }
    }
    const settings = await settingsOrReport("sync", { mode: "online", ...(host !== undefined ? { base_url: validateHost(host) } : {}) });
    if (!settings) return 1;
    if (!settings.api_key) {
      console.error(
        settings.api_key_problem
          ? `wbflow sync: ${settings.api_key_problem}`
          : `wbflow sync: no API key for ${redactUrl(settings.base_url)}. Run \`wbflow login\` (or set WANDB_API_KEY) first.`,
      );
      return 1;
    }
    let results: SyncedRun[];
    const progress = uploadProgressReporter(process.stdout);
    try {
      results = await syncRuns({
        ...(all ? { allIn: settings.wandb_dir } : { paths }),
        includeSynced,
        connection: { baseUrl: settings.base_url, apiKey: settings.api_key.reveal() },
        ...(entity !== undefined ? { defaultEntity: entity } : settings.entity !== undefined ? { defaultEntity: settings.entity } : {}),
        defaultProject: project ?? settings.project,
        notify: (line) => progress.line(line),
        artifactUpload: { onProgress: (event) => progress.onProgress(event) },
      });
    } catch (error) {
      if (!(error instanceof SyncPathError)) throw error;
      console.error(error.message);
      return 1;
    } finally {
      progress.end();
    }
    for (const failed of results.filter((r) => r.status === "failed")) console.error(`wbflow sync: ${failed.logPath}: ${failed.reason}`);
    for (const left of results.filter(isLeftAlone)) console.error(`wbflow sync: ${left.logPath}: left alone: ${left.reason}`);
    console.log(syncTotalsLine(results));
    return results.some((r) => r.status === "failed") ? 1 : 0;
  },
};

/** `--print-wandb-commands`: W&B's own `wandb sync` commands for the runs, producers first. */
async function printCommands(all: boolean, paths: string[], includeSynced: boolean): Promise<number> {
  let allIn: string | undefined;
  if (all) {
    const settings = await settingsOrReport("sync", {});
    if (!settings) return 1;
    allIn = settings.wandb_dir;
  }
  try {
    for (const command of await wandbSyncCommands(allIn !== undefined ? { allIn, includeSynced } : { paths, includeSynced })) console.log(command);
    return 0;
  } catch (error) {
    if (!(error instanceof SyncPathError)) throw error;
    console.error(error.message);
    return 1;
  }
}
