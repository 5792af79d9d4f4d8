/**
 * Builds the data of a finished run's report (display/run-report.ts) from a `FlowRun`: each task's
 * W&B run, its summary and history (from the local run log), the artifact versions it logged with
 * their producers and consumers, and the lineage graph between them.
 */
import type { Datastore } from "../../flow/datastore/datastore.js";
import { flowRunWandbReport } from "../../integration/report/flow-run-report.js";
import type { TaskWandbRun } from "../../integration/report/task-wandb-run.js";
import { readLocalRun } from "../../wandb/offline/run-log-reader.js";
import type { ArtifactRowData } from "../../display/artifacts-table.js";
import { lineageDot } from "../../display/lineage-graph.js";
import { renderDotToSvg } from "../../display/graphviz.js";
import type { RunReportData } from "../../display/run-report.js";
import { historyRows, summaryRows, type RunSummaryData } from "../../display/run-summary-panel.js";

/** What a report is built from: a `FlowRun` has all of it. */
export interface RunToReport {
  flowName: string;
  runId: string;
  successful: boolean;
  /** The run was stopped (a `FlowRun`'s error says so with `interrupted: true`). */
  interrupted?: boolean;
  tasks: readonly { stepName: string; taskId: string }[];
  datastore: Datastore;
}

/** The report of `run`; W&B parts are empty when no step used `@wandb_log`. */
export async function buildRunReport(run: RunToReport): Promise<RunReportData> {
  const { runs: wandbRuns, versions, lineage } = await flowRunWandbReport(run);
  const summaries = await Promise.all(wandbRuns.map(summaryOf));
  const runLabel = new Map(wandbRuns.map((r) => [r.runId, `${r.stepName}/${r.taskId}`]));
  const artifacts = versions.map((version): ArtifactRowData => ({
    name: version.name,
    type: version.type,
    version: version.version,
    size: version.size,
    producer: version.producer ? (runLabel.get(version.producer.runId) ?? version.producer.runId) : "—",
    consumers: version.consumers.map((c) => runLabel.get(c.runId) ?? c.runId),
  }));
  const anyOffline = wandbRuns.some((r) => r.mode === "offline");
  return {
    flowName: run.flowName,
    runId: run.runId,
    successful: run.successful,
    ...(run.interrupted ? { interrupted: true } : {}),
    stepRuns: wandbRuns.map((r) => ({
      step: r.stepName,
      taskId: r.taskId,
      runName: r.runId,
      ...(r.url ? { url: r.url } : { offlineDirectory: r.directory }),
    })),
    summaries: summaries.filter((s): s is RunSummaryData => s !== undefined && (historyRows(s).length > 0 || summaryRows(s).length > 0)),
    artifacts,
    ...(lineage.runs.length > 0 && lineage.artifacts.length > 0 ? { lineageSvg: await renderDotToSvg(lineageDot(lineage)) } : {}),
    ...(anyOffline ? { syncCommand: `%wandb sync --all   (or in a terminal: npx wbflow sync --all)` } : {}),
  };
}

async function summaryOf(run: TaskWandbRun): Promise<RunSummaryData | undefined> {
  try {
    const local = await readLocalRun(run.directory);
    const history: Record<string, number[]> = {};
    for (const row of local.history) {
      for (const [key, value] of Object.entries(row)) if (typeof value === "number") (history[key] ??= []).push(value);
    }
    return { title: `${run.stepName}/${run.taskId} — W&B run ${run.runId}`, history, summary: local.summary as Record<string, unknown> };
  } catch {
    return undefined; // A run log that cannot be read leaves its panel out; the links still show.
  }
}
