/**
 * The flow graph as Graphviz DOT: one box per step (joins, splits and foreach marked), edges in
 * `this.next(...)` order, and — while a run is live — each step coloured by its state with foreach
 * progress like `37/100` in its label.
 */
import { dotString } from "./graphviz.js";

/** A step of the graph (the shape of the flow engine's `GraphInfo.steps` entries). */
export interface DagStep {
  name: string;
  /** Metaflow step type: start, linear, split, foreach, join, split-switch, end. */
  type: string;
  next: readonly string[];
  foreachVar?: string;
}

/** The graph to draw. */
export interface DagData {
  flowName: string;
  steps: Readonly<Record<string, DagStep>>;
}

/** The state of a step in a live run. */
export type StepState = "pending" | "running" | "done" | "failed" | "retrying";

/** A step's state, with task counts for steps that run several tasks (foreach bodies). */
export interface StepStatus {
  state: StepState;
  finishedTasks?: number;
  totalTasks?: number;
}

const FILL: Record<StepState, string> = {
  pending: "#f3f3f3",
  running: "#ffcc33",
  retrying: "#ffa04d",
  done: "#b7e4c7",
  failed: "#f4a6a6",
};

/** The DOT source for `dag`, coloured by `statuses` when given. */
export function flowDagDot(dag: DagData, statuses: Readonly<Record<string, StepStatus>> = {}): string {
  const lines = [
    `digraph ${dotString(dag.flowName)} {`,
    '  graph [rankdir=TB, fontname="Helvetica", bgcolor="transparent"];',
    '  node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=11, fillcolor="#f3f3f3", color="#555555"];',
    '  edge [color="#777777", arrowsize=0.7];',
  ];
  for (const step of Object.values(dag.steps)) {
    const status = statuses[step.name];
    const label = [step.name];
    if (step.type === "foreach" && step.foreachVar) label.push(`foreach ${step.foreachVar}`);
    else if (step.type === "join") label.push("join");
    else if (step.type === "split-switch") label.push("switch");
    if (status?.totalTasks !== undefined && status.totalTasks > 1) label.push(`${status.finishedTasks ?? 0}/${status.totalTasks}`);
    const fill = status ? FILL[status.state] : FILL.pending;
    lines.push(`  ${dotString(step.name)} [label=${dotString(label.join("\n"))}, fillcolor=${dotString(fill)}];`);
  }
  for (const step of Object.values(dag.steps)) {
    for (const next of step.next) {
      const style = step.type === "foreach" ? ' [style="bold", label="each"]' : "";
      lines.push(`  ${dotString(step.name)} -> ${dotString(next)}${style};`);
    }
  }
  lines.push("}");
  return lines.join("\n");
}
