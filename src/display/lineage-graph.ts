/**
 * The lineage graph as Graphviz DOT: runs (boxes) and artifact versions (ellipses), with an edge
 * from a producing run to its artifact and from an artifact to each run that used it.
 */
import { dotString } from "./graphviz.js";

/** A run in the lineage (one step's W&B run). */
export interface LineageRun {
  id: string;
  label: string;
  url?: string;
}

/** An artifact version in the lineage. */
export interface LineageArtifact {
  id: string;
  /** e.g. "raw_df:v0". */
  label: string;
  type: string;
}

/** A directed edge between a run and an artifact (either direction). */
export interface LineageEdge {
  from: string;
  to: string;
}

/** The whole graph. */
export interface LineageData {
  runs: readonly LineageRun[];
  artifacts: readonly LineageArtifact[];
  edges: readonly LineageEdge[];
}

const ARTIFACT_FILL: Record<string, string> = { dataset: "#cfe8ff", model: "#e6d5ff", other: "#eeeeee" };

/** The DOT source for `lineage`. */
export function lineageDot(lineage: LineageData): string {
  const lines = [
    'digraph "lineage" {',
    '  graph [rankdir=LR, fontname="Helvetica", bgcolor="transparent"];',
    '  node [fontname="Helvetica", fontsize=11, style="filled", color="#555555"];',
    '  edge [color="#777777", arrowsize=0.7];',
  ];
  for (const run of lineage.runs) {
    const url = run.url && /^https?:\/\//.test(run.url) ? `, URL=${dotString(run.url)}, target="_blank"` : "";
    lines.push(`  ${dotString(run.id)} [shape=box, style="rounded,filled", fillcolor="#ffcc33", label=${dotString(run.label)}${url}];`);
  }
  for (const artifact of lineage.artifacts) {
    const fill = ARTIFACT_FILL[artifact.type] ?? ARTIFACT_FILL.other!;
    lines.push(`  ${dotString(artifact.id)} [shape=ellipse, fillcolor=${dotString(fill)}, label=${dotString(`${artifact.label}\n(${artifact.type})`)}];`);
  }
  for (const edge of lineage.edges) lines.push(`  ${dotString(edge.from)} -> ${dotString(edge.to)};`);
  lines.push("}");
  return lines.join("\n");
}
