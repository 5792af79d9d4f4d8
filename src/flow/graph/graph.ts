/** The flow graph: one node per step, with its type, successors and split/join structure. */
import type { FlowDefinition } from "../define/flow-definition.js";
import type { AppliedDecorator } from "../define/step-decorator.js";
import type { SourceTransition } from "./step-source.js";

/** Step types, as in Metaflow's graph info. */
export type StepType = "start" | "linear" | "join" | "end" | "split-static" | "split-foreach" | "split-switch";

/** One step of the graph. */
export interface GraphNode {
  name: string;
  type: StepType;
  /** Successor step names, in the order written in `this.next(...)` (switch: case order). */
  outFuncs: string[];
  /** Predecessor step names, in declaration order of the predecessors. */
  inFuncs: string[];
  /** Declared arguments besides `this` (1 = the step takes `inputs`). */
  argumentCount: number;
  /** The `this.next(...)` ending the step, if any. */
  transition: SourceTransition | undefined;
  callsNext: boolean;
  foreachVar?: string;
  condition?: string;
  /** Switch cases as [value, target] in source order. */
  switchCases?: Array<[string, string]>;
  /** Splits enclosing this step, outermost first. */
  splitParents: string[];
  /** For a static or foreach split: the join that closes it. */
  matchingJoin?: string;
  annotatedStart: boolean;
  annotatedEnd: boolean;
  /** The decorators that apply to the step (its own, then the flow's). */
  decorators: readonly AppliedDecorator[];
}

/** A flow's graph. `start`/`end` are undefined when they cannot be determined (lint reports it). */
export interface FlowGraph {
  flowName: string;
  nodes: Map<string, GraphNode>;
  start: string | undefined;
  end: string | undefined;
}

function resolveTerminal(definition: FlowDefinition, which: "start" | "end"): string | undefined {
  const steps = [...definition.steps.values()];
  if (steps.length === 1) return steps[0]!.name;
  const annotated = steps.filter((s) => (which === "start" ? s.annotatedStart : s.annotatedEnd));
  if (annotated.length === 1) return annotated[0]!.name;
  if (annotated.length > 1) return undefined;
  return definition.steps.has(which) ? which : undefined;
}

function typeOf(name: string, transition: SourceTransition | undefined, argumentCount: number, start?: string, end?: string): StepType {
  if (name === end) return "end";
  switch (transition?.kind) {
    case "split":
      return "split-static";
    case "foreach":
      return "split-foreach";
    case "switch":
      return "split-switch";
    default:
      if (argumentCount >= 1) return "join";
      return name === start ? "start" : "linear";
  }
}

function successors(transition: SourceTransition | undefined): string[] {
  if (!transition || transition.kind === "invalid") return [];
  if (transition.kind === "switch") return [...new Set(transition.cases.map(([, target]) => target))];
  return [...transition.targets];
}

/** Builds the graph of a flow definition (no checks: see lint). */
export function buildGraph(definition: FlowDefinition): FlowGraph {
  const start = resolveTerminal(definition, "start");
  const end = resolveTerminal(definition, "end");
  const nodes = new Map<string, GraphNode>();
  for (const step of definition.steps.values()) {
    const { transition, argumentCount, callsNext } = step.source;
    const node: GraphNode = {
      name: step.name,
      type: typeOf(step.name, transition, argumentCount, start, end),
      outFuncs: successors(transition),
      inFuncs: [],
      argumentCount,
      transition,
      callsNext,
      splitParents: [],
      annotatedStart: step.annotatedStart,
      annotatedEnd: step.annotatedEnd,
      decorators: step.decorators,
    };
    if (transition?.kind === "foreach") node.foreachVar = transition.foreachVar;
    if (transition?.kind === "switch") {
      if (transition.condition !== undefined) node.condition = transition.condition;
      node.switchCases = transition.cases;
    }
    nodes.set(step.name, node);
  }
  for (const node of nodes.values()) {
    for (const target of node.outFuncs) {
      const child = nodes.get(target);
      if (child && !child.inFuncs.includes(node.name) && target !== node.name) child.inFuncs.push(node.name);
    }
  }
  const graph: FlowGraph = { flowName: definition.name, nodes, start, end };
  if (start && nodes.has(start)) assignSplitParents(graph, start);
  return graph;
}

/** Sets `splitParents` and `matchingJoin` by walking from the start (Metaflow's traversal). */
function assignSplitParents(graph: FlowGraph, start: string): void {
  const visit = (name: string, path: Set<string>, parents: string[]): void => {
    const node = graph.nodes.get(name)!;
    let childParents = parents;
    if (node.type === "split-static" || node.type === "split-foreach") {
      node.splitParents = parents;
      childParents = [...parents, name];
    } else if (node.type === "join" && parents.length > 0) {
      const split = graph.nodes.get(parents.at(-1)!)!;
      split.matchingJoin ??= name;
      node.splitParents = parents.slice(0, -1);
      childParents = node.splitParents;
    } else {
      node.splitParents = parents;
    }
    for (const target of node.outFuncs) {
      if (path.has(target) || !graph.nodes.has(target)) continue;
      visit(target, new Set([...path, target]), childParents);
    }
  };
  visit(start, new Set([start]), []);
}

/** Step names in topological order from the start (self-edges and back-edges ignored). */
export function topologicalOrder(graph: FlowGraph): string[] {
  const order: string[] = [];
  const state = new Map<string, "visiting" | "done">();
  const visit = (name: string): void => {
    if (state.has(name)) return;
    state.set(name, "visiting");
    for (const target of graph.nodes.get(name)?.outFuncs ?? []) {
      if (graph.nodes.has(target) && target !== name) visit(target);
    }
    state.set(name, "done");
    order.push(name);
  };
  if (graph.start) visit(graph.start);
  for (const name of graph.nodes.keys()) visit(name);
  return order.reverse();
}

/** Steps reachable from `from` (including it). */
export function reachableFrom(graph: FlowGraph, from: string): Set<string> {
  const seen = new Set<string>();
  const stack = [from];
  while (stack.length > 0) {
    const name = stack.pop()!;
    if (seen.has(name) || !graph.nodes.has(name)) continue;
    seen.add(name);
    stack.push(...graph.nodes.get(name)!.outFuncs);
  }
  return seen;
}
