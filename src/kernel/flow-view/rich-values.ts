/**
 * How the kernel shows a cell's value: a `FlowRun` as its run report, a W&B artifact version as its
 * table row and lineage, everything else through the display protocol (display/mime-bundle.ts).
 */
import type { ArtifactVersion } from "../../wandb/artifacts/artifact-version.js";
import { artifactsTableHtml, artifactsTableText } from "../../display/artifacts-table.js";
import { renderDotToSvg } from "../../display/graphviz.js";
import { lineageDot } from "../../display/lineage-graph.js";
import { mimeBundleOf, type MimeBundle } from "../../display/mime-bundle.js";
import { runReportHtml, runReportText } from "../../display/run-report.js";
import { activeOutput } from "../cells/active-output.js";
import { reportShownInCell } from "./flow-run-watcher.js";

/** The MIME bundle of a cell's value. */
export async function richValueBundle(value: unknown): Promise<MimeBundle> {
  // Cheap name check first, so plain values never load the flow and W&B modules.
  const typeName = typeof value === "object" && value !== null ? value.constructor?.name : undefined;
  if (typeName !== "FlowRun" && typeName !== "ArtifactVersion") return mimeBundleOf(value);
  const [{ FlowRun }, { ArtifactVersion }] = await Promise.all([import("../../flow/runtime/run-handle.js"), import("../../wandb/artifacts/artifact-version.js")]);
  if (value instanceof FlowRun) {
    const interrupted = (value.error as { interrupted?: boolean } | undefined)?.interrupted === true;
    const summary = `FlowRun ${value.pathspec} (${value.successful ? "successful" : interrupted ? "interrupted" : "failed"})`;
    if (reportShownInCell(activeOutput(), value.flowName, value.runId)) return { "text/plain": `${summary}; its report is shown above.` };
    const { buildRunReport } = await import("./run-report-builder.js");
    const report = await buildRunReport({ flowName: value.flowName, runId: value.runId, successful: value.successful, interrupted, tasks: value.tasks, datastore: value.datastore });
    return { "text/plain": runReportText(report), "text/html": runReportHtml(report) };
  }
  if (value instanceof ArtifactVersion) return artifactBundle(value);
  return mimeBundleOf(value);
}

async function artifactBundle(version: ArtifactVersion): Promise<MimeBundle> {
  const row = {
    name: version.name,
    type: version.type,
    version: version.version,
    size: version.size,
    producer: version.producer?.runId ?? "—",
    consumers: version.consumers.map((c) => c.runId),
  };
  const artifactId = `artifact:${version.name}:${version.version}`;
  const runs = [...(version.producer ? [version.producer] : []), ...version.consumers];
  const svg = runs.length === 0
    ? ""
    : await renderDotToSvg(
        lineageDot({
          runs: runs.map((r) => ({ id: `run:${r.runId}`, label: r.runId })),
          artifacts: [{ id: artifactId, label: `${version.name}:${version.version}`, type: version.type }],
          edges: [
            ...(version.producer ? [{ from: `run:${version.producer.runId}`, to: artifactId }] : []),
            ...version.consumers.map((c) => ({ from: artifactId, to: `run:${c.runId}` })),
          ],
        }),
      );
  return {
    "text/plain": artifactsTableText([row]),
    "text/html": `${artifactsTableHtml([row])}${svg ? `<div class="wbflow-lineage">${svg}</div>` : ""}`,
  };
}
