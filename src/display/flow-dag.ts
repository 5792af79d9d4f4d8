/**
 * The flow graph as Graphviz DOT: one box per step (joins, splits and foreach marked), edges in
 * `this.next(...)` order, and — while a run is live — each step coloured by its state with foreach
 * progress like `37/100` in its label.
 */
import { dotString } from "./graphviz.js";

/**
 * The step types of the flow graph, spelled exactly as the flow engine's `StepType`
 * (src/flow/graph/graph.ts). display/ imports nothing from flow/, so the union is repeated here; a
 * type test (test/display/flow-dag-labels.test.ts) fails to compile when the two drift apart.
 */
export type DagStepType = "start" | "linear" | "join" | "end" | "split-static" | "split-foreach" | "split-switch";

/** A step of the graph (the shape of the flow engine's `GraphInfo.steps` entries). */
export interface DagStep {
  name: string;
  type: DagStepType;
  /** Successors in `this.next(...)` order. */
  next: readonly string[];
  /** The list a foreach split fans out over. */
  foreachVar?: string;
  /** The attribute a switch chooses its branch by. */
  condition?: string;
  /** A switch's cases: value -> step. */
  switchCases?: Readonly<Record<string, string>>;
}

/** The graph to draw. */
export interface DagData {
  flowName: string;
  steps: Readonly<Record<string, DagStep>>;
}

/** The state of a step in a live run. */
/** A step's state in the live view; "stopped" is a task ended by an interrupt (resume runs it again). */
export type StepState = "pending" | "running" | "done" | "failed" | "retrying" | "stopped";

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
  stopped: "#d9d9d9",
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
    const kind = kindLabel(step);
    if (kind) label.push(kind);
    if (status?.totalTasks !== undefined && status.totalTasks > 1) label.push(`${status.finishedTasks ?? 0}/${status.totalTasks}`);
    const fill = status ? FILL[status.state] : FILL.pending;
    lines.push(`  ${dotString(step.name)} [label=${dotString(label.join("\n"))}, fillcolor=${dotString(fill)}];`);
  }
  for (const step of Object.values(dag.steps)) {
    for (const next of step.next) lines.push(`  ${dotString(step.name)} -> ${dotString(next)}${edgeStyle(step, next)};`);
  }
  lines.push("}");
  return lines.join("\n");
}

/** The second line of a step's box: what kind of step it is, when it is not a plain one. */
function kindLabel(step: DagStep): string | undefined {
  switch (step.type) {
    case "split-foreach":
      return step.foreachVar ? `foreach ${step.foreachVar}` : "foreach";
    case "split-switch":
      return step.condition ? `switch on ${step.condition}` : "switch";
    case "split-static":
      return "split";
    case "join":
      return "join";
    default:
      return undefined;
  }
}

/** A foreach's edge is drawn bold and labelled `each`; a switch's edges carry their case values. */
function edgeStyle(step: DagStep, next: string): string {
  if (step.type === "split-foreach") return ' [style="bold", label="each"]';
  if (step.type === "split-switch" && step.switchCases) {
    const values = Object.entries(step.switchCases).filter(([, target]) => target === next).map(([value]) => value);
    if (values.length > 0) return ` [label=${dotString(values.join(", "))}]`;
  }
  return "";
}
