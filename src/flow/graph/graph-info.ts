/**
 * The graph as JSON (Metaflow's `_graph_info`): stored with every run and task, returned by
 * `check()`, and drawn by the notebook's `%flow show`.
 */
import type { FlowDefinition } from "../define/flow-definition.js";
import { reachableFrom, topologicalOrder, type FlowGraph, type GraphNode, type StepType } from "./graph.js";

/** One step in {@link GraphInfo}. */
export interface StepInfo {
  name: string;
  type: StepType;
  /** Successors in `this.next(...)` order. */
  next: string[];
  /** Whether the step takes `inputs` (a join). */
  takesInputs: boolean;
  foreachVar?: string;
  condition?: string;
  /** Switch cases: value -> step. */
  switchCases?: Record<string, string>;
  matchingJoin?: string;
  splitParents: string[];
  decorators: Array<{ name: string; options: Record<string, unknown> }>;
}

/**
 * Nested structure of the graph: a step name, or an array of branches (each an array) after a split,
 * e.g. `["start", [["a"], ["b"]], "join", "end"]`.
 */
export type GraphStructure = Array<string | GraphStructure[]>;

/** The whole graph as JSON. */
export interface GraphInfo {
  flowName: string;
  startStep: string;
  endStep: string;
  parameters: Array<{ name: string; attribute: string; type: string; help?: string }>;
  constants: Array<{ name: string; type: string }>;
  /** Steps in topological order. */
  steps: Record<string, StepInfo>;
  graphStructure: GraphStructure;
}

function jsonSafe(value: unknown): unknown {
  try {
    return JSON.parse(JSON.stringify(value ?? null)) as unknown;
  } catch {
    return String(value);
  }
}

/** Builds the graph info of a linted graph. */
export function graphInfoOf(definition: FlowDefinition, graph: FlowGraph): GraphInfo {
  const steps: Record<string, StepInfo> = {};
  for (const name of topologicalOrder(graph)) {
    const node = graph.nodes.get(name)!;
    const step = definition.steps.get(name)!;
    const info: StepInfo = {
      name,
      type: node.type,
      next: node.outFuncs,
      takesInputs: node.argumentCount > 0,
      splitParents: node.splitParents,
      decorators: step.decorators.map((d) => ({ name: d.name, options: jsonSafe(d.options) as Record<string, unknown> })),
    };
    if (node.foreachVar !== undefined) info.foreachVar = node.foreachVar;
    if (node.condition !== undefined) info.condition = node.condition;
    if (node.switchCases) info.switchCases = Object.fromEntries(node.switchCases);
    if (node.matchingJoin !== undefined) info.matchingJoin = node.matchingJoin;
    steps[name] = info;
  }
  return {
    flowName: definition.name,
    startStep: graph.start!,
    endStep: graph.end!,
    parameters: definition.parameters.map((p) => ({
      name: p.name,
      attribute: p.attribute,
      type: p.type ?? "inferred",
      ...(p.options.help === undefined ? {} : { help: p.options.help }),
    })),
    constants: [...definition.constants].map(([name, value]) => ({
      name,
      type: value === null ? "null" : Array.isArray(value) ? "array" : typeof value,
    })),
    steps,
    graphStructure: structureFrom(graph, graph.start!, undefined, new Set()),
  };
}

/** The first step reachable from every case of a switch: where its branches meet again. */
function convergence(graph: FlowGraph, cases: string[]): string | undefined {
  const sets = cases.map((c) => reachableFrom(graph, c));
  return topologicalOrder(graph).find((name) => sets.every((s) => s.has(name)));
}

function structureFrom(graph: FlowGraph, from: string, stopAt: string | undefined, seen: Set<string>): GraphStructure {
  const out: GraphStructure = [];
  let current: string | undefined = from;
  while (current !== undefined && current !== stopAt && !seen.has(current) && graph.nodes.has(current)) {
    seen.add(current);
    const node: GraphNode = graph.nodes.get(current)!;
    out.push(current);
    const forward = node.outFuncs.filter((t) => t !== node.name);
    if ((node.type === "split-static" || node.type === "split-foreach") && node.matchingJoin) {
      out.push(forward.map((b) => structureFrom(graph, b, node.matchingJoin, seen)));
      current = node.matchingJoin;
    } else if (node.type === "split-switch" && forward.length > 1) {
      const meet = convergence(graph, forward);
      out.push(forward.map((b) => (b === meet ? [] : structureFrom(graph, b, meet, seen))));
      current = meet;
    } else {
      current = forward[0];
    }
  }
  return out;
}
