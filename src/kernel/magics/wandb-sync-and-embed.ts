/**
 * `%wandb sync [PATH... | --all]` (upload offline runs) and `%wandb [ENTITY/PROJECT[/runs/ID]] [-h N]`
 * (the W&B page of a project or run inline, as W&B's Python magic does: with no path, the page of
 * the run this session started last, else of the session's project).
 */
import { appUrlFor } from "../../wandb/online/app-urls.js";
import { mostRecentRun, type RecentRun } from "../../wandb/run/run-state.js";
import { resolveSettings } from "../../wandb/settings/settings.js";
import { SyncPathError } from "../../wandb/sync/sync-sources.js";
import { syncRuns, type SyncedRun } from "../../wandb/sync/sync.js";
import { syncTotalsLine } from "../../wandb/sync/sync-totals.js";
import { escapeHtml, safeUrl } from "../../display/html-escape.js";
import { htmlTable, textTable, type TableCell } from "../../display/html-table.js";
import { linkCell } from "../../display/link.js";
import { redactSecrets } from "./magic-arguments.js";
import { ProgressDisplay } from "../cells/progress-display.js";
import type { MagicAction, MagicContext } from "./magic.js";
import type { ParsedArguments } from "./magic-arguments.js";
import { MagicUsageError, Notice } from "./notice.js";
import { wandbSession } from "./wandb-session-state.js";

/** `%wandb sync`. */
export const syncAction: MagicAction = {
  summary: "Upload runs kept offline (a run directory, a .wandb file, or --all in ./wandb) to the W&B server.",
  arguments: {
    positionals: [{ name: "path", help: "run directories, .wandb files or wandb/ directories", variadic: true }],
    options: [
      { long: "all", help: "every run in this directory's wandb/ folder not synced yet" },
      { long: "include-synced", help: "send runs already marked synced again" },
    ],
  },
  async run(args, context) {
    const all = args.options.all === true;
    if (all === args.rest.length > 0) throw new MagicUsageError("%wandb sync: give run paths or --all (not both, not neither). See %wandb?");
    const settings = await resolveSettings({ mode: "online" }, { env: context.env });
    if (!settings.api_key) throw new MagicUsageError(`%wandb sync: there is no API key for ${settings.base_url}. Run %wandb login first.`);
    const progress = new ProgressDisplay(context.output);
    let results: SyncedRun[];
    try {
      results = await syncRuns({
        ...(all ? { allIn: settings.wandb_dir } : { paths: args.rest }),
        includeSynced: args.options["include-synced"] === true,
        connection: { baseUrl: settings.base_url, apiKey: settings.api_key.reveal() },
        ...(settings.entity !== undefined ? { defaultEntity: settings.entity } : {}),
        defaultProject: settings.project,
        notify: (line) => context.output.stream("stderr", `${line}\n`),
        artifactUpload: {
          onProgress: (p) => progress.update(p.name, `uploading ${p.name}`, p.uploadedBytes, p.totalBytes),
        },
      });
    } catch (error) {
      if (error instanceof SyncPathError) throw new MagicUsageError(error.message);
      throw error;
    }
    const rows = results.map((r): TableCell[] => [r.logPath, r.status, r.url ? linkCell(r.url) : (r.reason ?? "")]);
    const line = syncTotalsLine(results);
    return new Notice(`${textTable(["run log", "status", "page / reason"], rows)}\n${line}`, `${htmlTable(["run log", "status", "page / reason"], rows, "wbflow-sync-table")}<p>${escapeHtml(line)}</p>`);
  },
};

/** The default iframe height, as W&B's magic. */
export const DEFAULT_IFRAME_HEIGHT = 420;

/** `%wandb [PATH] [-h HEIGHT]`, and `%%wandb [PATH] [-h HEIGHT]` which then runs the cell. */
export const embedAction: MagicAction = {
  summary: "Show a W&B project or run page inline (online only); as %%wandb, then run the cell below it.",
  takesCellBody: true,
  arguments: {
    positionals: [
      {
        name: "path",
        help: "ENTITY/PROJECT or ENTITY/PROJECT/runs/RUN_ID (default: the run this session started last, else this session's project)",
        optional: true,
      },
    ],
    options: [{ long: "height", short: "h", valueName: "PX", help: `iframe height in pixels (default ${DEFAULT_IFRAME_HEIGHT})` }],
  },
  async run(args, context, body) {
    if (body !== undefined) {
      // As W&B's %%wandb: the page first, then the cell's own outputs below it.
      context.output.display((await pageOf(args, context)).toMimeBundle());
      await context.runCode(body);
      return undefined;
    }
    return pageOf(args, context);
  },
};

/** The inline page of `args.positionals.path` (or the session project), or why there is none offline. */
async function pageOf(args: ParsedArguments, context: MagicContext): Promise<Notice> {
  const height = args.options.height === undefined ? DEFAULT_IFRAME_HEIGHT : Number(args.options.height);
  if (!Number.isInteger(height) || height < 50 || height > 10_000) {
    throw new MagicUsageError(`%wandb: -h/--height must be a whole number of pixels between 50 and 10000, not ${String(args.options.height)}`);
  }
  const recent = args.positionals.path === undefined ? mostRecentRun() : undefined;
  if (recent) return recentRunPage(recent, height);
  const settings = await resolveSettings({}, { env: context.env });
  if (settings.mode !== "online") {
    const why = settings.offlineBecause === "no-api-key" ? "there is no API key" : `the mode is ${settings.mode}`;
    return new Notice(
      `W&B is offline in this session (${why}), so there is no W&B page to show. Runs are kept in ${settings.wandb_dir}; ` +
        "run %wandb login, then %wandb sync --all, to see them on the W&B server.",
    );
  }
  const pagePath = args.positionals.path ?? defaultProjectPath(settings.entity ?? wandbSession.viewer?.entity, settings.project);
  if (!/^[^/\s]+\/[^/\s]+(\/(runs|sweeps|reports)\/[^/\s]+)?$/.test(pagePath)) {
    throw new MagicUsageError(`%wandb: '${redactSecrets(pagePath)}' is not ENTITY/PROJECT or ENTITY/PROJECT/runs/RUN_ID.`);
  }
  return inlinePage(`${appUrlFor(settings.base_url, context.env.WANDB_APP_URL)}/${pagePath.split("/").map(encodeURIComponent).join("/")}`, height);
}

/** A W&B page as an iframe (with the `jupyter=true` view W&B serves to notebooks). */
function inlinePage(pageUrl: string, height: number): Notice {
  const url = `${pageUrl}${pageUrl.includes("?") ? "&" : "?"}jupyter=true`;
  return new Notice(url, `<iframe src="${safeUrl(url)}" style="border:none;width:100%;height:${height}px;"></iframe>`);
}

/** The page of the run started last, or why it has none (offline, or its upload stopped). */
function recentRunPage(run: RecentRun, height: number): Notice {
  if (run.url !== undefined) return inlinePage(run.url, height);
  const which = `The most recent run of this session, ${run.id} (project ${run.project}),`;
  if (run.mode === "disabled") return new Notice(`${which} ran with W&B disabled, so nothing was recorded and there is no W&B page.`);
  const why =
    run.mode === "offline" ? "was logged offline, so it has no W&B page" : "has no W&B page yet (the server has not created it, or the connection stopped)";
  return new Notice(`${which} ${why}. It is kept in ${run.dir}; run %wandb login, then %wandb sync ${run.dir}, to upload it.`);
}

function defaultProjectPath(entity: string | undefined, project: string): string {
  if (!entity) {
    throw new MagicUsageError("%wandb: which entity? Give ENTITY/PROJECT, set one with %wandb project NAME --entity E, or %wandb login.");
  }
  return `${entity}/${project}`;
}
