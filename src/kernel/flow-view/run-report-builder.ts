/**
 * Builds the data of a finished run's report (display/run-report.ts) from a `FlowRun`: each task's
 * W&B run, its summary and history (from the local run log), the artifact versions it logged with
 * their producers and consumers, and the lineage graph between them.
 */
import path from "node:path";
import type { Datastore } from "../../flow/datastore/datastore.js";
import { Api } from "../../wandb/api.js";
import type { ArtifactVersion } from "../../wandb/artifacts/artifact-version.js";
import { readLocalRun } from "../../wandb/offline/run-log-reader.js";
import type { ArtifactRowData } from "../../display/artifacts-table.js";
import { lineageDot, type LineageData } from "../../display/lineage-graph.js";
import { renderDotToSvg } from "../../display/graphviz.js";
import type { RunReportData } from "../../display/run-report.js";
import { historyRows, summaryRows, type RunSummaryData } from "../../display/run-summary-panel.js";
import { taskWandbRun, type TaskWandbRun } from "./task-wandb-runs.js";

/** What a report is built from: a `FlowRun` has all of it. */
export interface RunToReport {
  flowName: string;
  runId: string;
  successful: boolean;
  tasks: readonly { stepName: string; taskId: string }[];
  datastore: Datastore;
}

/** The report of `run`; W&B parts are empty when no step used `@wandb_log`. */
export async function buildRunReport(run: RunToReport, env: NodeJS.ProcessEnv = process.env): Promise<RunReportData> {
  const wandbRuns = (
    await Promise.all(run.tasks.map((task) => taskWandbRun(run.datastore, { flowName: run.flowName, runId: run.runId, stepName: task.stepName, taskId: task.taskId }, env)))
  ).filter((r): r is TaskWandbRun => r !== undefined);
  const summaries = await Promise.all(wandbRuns.map(summaryOf));
  const versions = await loggedVersions(wandbRuns, env);
  const runLabel = new Map(wandbRuns.map((r) => [r.record.run.id, `${r.stepName}/${r.taskId}`]));
  const artifacts = versions.map((version): ArtifactRowData => ({
    name: version.name,
    type: version.type,
    version: version.version,
    size: version.size,
    producer: version.producer ? (runLabel.get(version.producer.runId) ?? version.producer.runId) : "—",
    consumers: version.consumers.map((c) => runLabel.get(c.runId) ?? c.runId),
  }));
  const lineage = lineageOf(wandbRuns, versions);
  const anyOffline = wandbRuns.some((r) => r.offline);
  return {
    flowName: run.flowName,
    runId: run.runId,
    successful: run.successful,
    stepRuns: wandbRuns.map((r) => ({
      step: r.stepName,
      taskId: r.taskId,
      runName: r.record.run.id,
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
    return { title: `${run.stepName}/${run.taskId} — W&B run ${run.record.run.id}`, history, summary: local.summary as Record<string, unknown> };
  } catch {
    return undefined; // A run log that cannot be read leaves its panel out; the links still show.
  }
}

/** The exact artifact versions the tasks logged, read back (size, producer, consumers). */
async function loggedVersions(runs: TaskWandbRun[], env: NodeJS.ProcessEnv): Promise<ArtifactVersion[]> {
  const seen = new Set<string>();
  const versions: ArtifactVersion[] = [];
  for (const run of runs) {
    const api = new Api({ env, cwd: path.dirname(path.dirname(run.directory)), settings: { project: run.record.run.project, mode: run.offline ? "offline" : "online" } });
    for (const logged of Object.values(run.record.artifacts)) {
      const reference = `${logged.project}/${logged.name}:${logged.version}`;
      if (seen.has(reference)) continue;
      seen.add(reference);
      try {
        versions.push(await api.artifact(reference, logged.type));
      } catch {
        // A version that cannot be read back is left out of the table rather than failing the report.
      }
    }
  }
  return versions;
}

function lineageOf(runs: TaskWandbRun[], versions: ArtifactVersion[]): LineageData {
  const runIds = new Set(runs.map((r) => r.record.run.id));
  const edges: LineageData["edges"][number][] = [];
  for (const version of versions) {
    const id = `artifact:${version.project}/${version.name}:${version.version}`;
    if (version.producer && runIds.has(version.producer.runId)) edges.push({ from: `run:${version.producer.runId}`, to: id });
    for (const consumer of version.consumers) if (runIds.has(consumer.runId)) edges.push({ from: id, to: `run:${consumer.runId}` });
  }
  return {
    runs: runs.map((r) => ({ id: `run:${r.record.run.id}`, label: `${r.stepName}/${r.taskId}\n${r.record.run.id}`, ...(r.url ? { url: r.url } : {}) })),
    artifacts: versions.map((v) => ({ id: `artifact:${v.project}/${v.name}:${v.version}`, label: `${v.name}:${v.version}`, type: v.type })),
    edges,
  };
}
