/**
 * Graph lint: a list of small rules, run in order before every run (and by `check()`); the first
 * failing rule throws a LintError whose message names the step and says how to fix it.
 */
import { LintError } from "../errors.js";
import { reachableFrom, topologicalOrder, type FlowGraph, type GraphNode } from "./graph.js";

/** One lint rule: throws LintError when the graph breaks it. */
export interface LintRule {
  name: string;
  check(graph: FlowGraph): void;
}

const RESERVED_STEP_NAMES = new Set(["name", "next", "input", "index", "foreachStack", "mergeArtifacts", "constructor"]);

function fail(rule: string, message: string, step?: string): never {
  throw new LintError(message, rule, step);
}

function nodes(graph: FlowGraph): GraphNode[] {
  return [...graph.nodes.values()];
}

const SUPPORTED_TRANSITIONS = [
  "  - linear:   this.next(this.b)",
  "  - split:    this.next(this.a, this.b)",
  "  - foreach:  this.next(this.body, { foreach: \"items\" })",
  "  - switch:   this.next({ hi: this.a, lo: this.b }, { condition: \"mode\" })",
].join("\n");

const reservedWords: LintRule = {
  name: "reservedWords",
  check(graph) {
    for (const node of nodes(graph)) {
      if (RESERVED_STEP_NAMES.has(node.name)) {
        fail(this.name, `Step '${node.name}' uses a name the flow API reserves. Rename the step method.`, node.name);
      }
    }
  },
};

const basicSteps: LintRule = {
  name: "basicSteps",
  check(graph) {
    for (const which of ["start", "end"] as const) {
      const annotated = nodes(graph).filter((n) => (which === "start" ? n.annotatedStart : n.annotatedEnd));
      if (annotated.length > 1) {
        fail(
          this.name,
          `Steps ${annotated.map((n) => `'${n.name}'`).join(", ")} are all marked @step({ ${which}: true }); ` +
            `a flow has exactly one ${which} step. Keep the mark on one of them.`,
        );
      }
      if ((which === "start" ? graph.start : graph.end) === undefined) {
        fail(
          this.name,
          `Flow ${graph.flowName} has no ${which} step. Name a step '${which}' or mark one with @step({ ${which}: true }).`,
        );
      }
    }
  },
};

const annotationNameConflict: LintRule = {
  name: "annotationNameConflict",
  check(graph) {
    for (const which of ["start", "end"] as const) {
      const marked = nodes(graph).find((n) => (which === "start" ? n.annotatedStart : n.annotatedEnd));
      if (marked && marked.name !== which && graph.nodes.has(which)) {
        fail(
          this.name,
          `Step '${marked.name}' is marked @step({ ${which}: true }) but another step is named '${which}', so the ` +
            `${which} step is ambiguous. Rename the step '${which}' or remove the mark.`,
          marked.name,
        );
      }
    }
  },
};

const startEndDegree: LintRule = {
  name: "startEndDegree",
  check(graph) {
    const start = graph.nodes.get(graph.start!)!;
    const end = graph.nodes.get(graph.end!)!;
    const into = nodes(graph).filter((n) => n.outFuncs.includes(start.name)).map((n) => n.name);
    if (into.length > 0 && start !== end) {
      fail(
        this.name,
        `The start step '${start.name}' is the target of this.next(...) in ${into.map((n) => `'${n}'`).join(", ")}. ` +
          `Nothing may transition back to the start step; point those transitions at another step.`,
        start.name,
      );
    }
    if (end.outFuncs.length > 0 && start !== end) {
      fail(this.name, `The end step '${end.name}' calls this.next(...). The end step has no successors: remove the call.`, end.name);
    }
  },
};

const endIsEnd: LintRule = {
  name: "endIsEnd",
  check(graph) {
    const end = graph.nodes.get(graph.end!)!;
    if (end.transition !== undefined || end.callsNext) {
      fail(this.name, `The end step '${end.name}' calls this.next(...). The end step has no successors: remove the call.`, end.name);
    }
    if (end.argumentCount > 0) {
      fail(
        this.name,
        `The end step '${end.name}' takes an 'inputs' argument, which makes it a join. ` +
          `Add a separate join step before it and let '${end.name}' take no arguments.`,
        end.name,
      );
    }
  },
};

const stepNames: LintRule = {
  name: "stepNames",
  check(graph) {
    for (const node of nodes(graph)) {
      if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(node.name)) {
        fail(
          this.name,
          `Step '${node.name}' has an invalid name: step names start with a letter and contain only ASCII letters, digits and '_'. Rename it.`,
          node.name,
        );
      }
    }
  },
};

const argumentCounts: LintRule = {
  name: "argumentCounts",
  check(graph) {
    for (const node of nodes(graph)) {
      if (node.argumentCount > 1) {
        fail(
          this.name,
          `Step '${node.name}' declares ${node.argumentCount} arguments. A step takes none, or one ('inputs') if it is a join. Remove the extra arguments.`,
          node.name,
        );
      }
      const splits = node.type === "split-static" || node.type === "split-foreach" || node.type === "split-switch";
      if (node.argumentCount === 1 && splits) {
        fail(
          this.name,
          `Step '${node.name}' is both a join (it takes 'inputs') and a split (its this.next(...) fans out or switches). ` +
            `Split it in two: a join step that then transitions to a separate splitting step.`,
          node.name,
        );
      }
    }
  },
};

const staticTransitions: LintRule = {
  name: "staticTransitions",
  check(graph) {
    for (const node of nodes(graph)) {
      if (node.name === graph.end || node.transition !== undefined) continue;
      const hint = node.callsNext
        ? ` It calls this.next(...), but not as its last statement: the engine reads the transition from the last ` +
          `statement, so a call inside if/else, a loop or followed by other code does not count. Move it to the end.`
        : "";
      fail(
        this.name,
        `Step '${node.name}' does not end with a this.next(...) transition. Add this.next(...) as the last statement of the step.${hint}`,
        node.name,
      );
    }
  },
};

const validTransitions: LintRule = {
  name: "validTransitions",
  check(graph) {
    for (const node of nodes(graph)) {
      if (node.transition?.kind === "invalid") {
        fail(
          this.name,
          `Step '${node.name}' has a this.next(...) call the engine cannot use: ${node.transition.reason}. ` +
            `The supported forms are:\n${SUPPORTED_TRANSITIONS}\nSwitch case keys must be string or number literals.`,
          node.name,
        );
      }
    }
  },
};

const unknownTransitions: LintRule = {
  name: "unknownTransitions",
  check(graph) {
    for (const node of nodes(graph)) {
      const unknown = node.outFuncs.find((target) => !graph.nodes.has(target));
      if (unknown !== undefined) {
        fail(
          this.name,
          `Step '${node.name}' transitions to '${unknown}', which is not a step of flow ${graph.flowName}. ` +
            `Fix the name, or add @step to the method '${unknown}'.`,
          node.name,
        );
      }
    }
  },
};

const acyclicity: LintRule = {
  name: "acyclicity",
  check(graph) {
    const state = new Map<string, "open" | "closed">();
    const path: string[] = [];
    const visit = (name: string): void => {
      state.set(name, "open");
      path.push(name);
      const node = graph.nodes.get(name)!;
      for (const target of node.outFuncs) {
        if (target === name && node.type === "split-switch") continue; // a loop: allowed
        if (state.get(target) === "open") {
          const cycle = [...path.slice(path.indexOf(target)), target].join(" -> ");
          fail(
            this.name,
            `Flow ${graph.flowName} has a cycle: ${cycle}. Only a switch case pointing at its own step may loop; ` +
              `change the this.next(...) calls so the steps form no other cycle.`,
            name,
          );
        }
        if (!state.has(target) && graph.nodes.has(target)) visit(target);
      }
      path.pop();
      state.set(name, "closed");
    };
    for (const name of graph.nodes.keys()) if (!state.has(name)) visit(name);
  },
};

const orphans: LintRule = {
  name: "orphans",
  check(graph) {
    const reachable = reachableFrom(graph, graph.start!);
    for (const node of nodes(graph)) {
      if (!reachable.has(node.name)) {
        fail(
          this.name,
          `Step '${node.name}' can never run: no path leads to it from the start step '${graph.start}'. ` +
            `Transition to it from another step with this.next(this.${node.name}), or remove @step from it.`,
          node.name,
        );
      }
    }
  },
};

const emptyForeach: LintRule = {
  name: "emptyForeach",
  check(graph) {
    for (const node of nodes(graph)) {
      const target = node.type === "split-foreach" ? graph.nodes.get(node.outFuncs[0]!) : undefined;
      if (target?.type === "join") {
        fail(
          this.name,
          `Step '${node.name}' fans out with foreach straight into the join step '${target.name}', so the foreach has no ` +
            `body. Add a step between them that does the per-item work.`,
          node.name,
        );
      }
    }
  },
};

interface BranchFrame {
  split: string;
  branch: string;
}
const frameKey = (stack: readonly BranchFrame[]): string => stack.map((f) => `${f.split}:${f.branch}`).join("/");

/** Finds a non-join step that all branches of some split converge on: a join that forgot `inputs`. */
function forgottenJoinHint(graph: FlowGraph, arrivals: Map<string, BranchFrame[][]>): string {
  for (const [name, stacks] of arrivals) {
    const node = graph.nodes.get(name)!;
    if (node.type === "join" || name === graph.end || stacks.length < 2) continue;
    const tops = new Map<string, Set<string>>();
    for (const stack of stacks) {
      const top = stack.at(-1);
      if (top) tops.set(top.split, (tops.get(top.split) ?? new Set()).add(top.branch));
    }
    for (const [split, branches] of tops) {
      if (branches.size > 1 || graph.nodes.get(split)?.type === "split-foreach") {
        return (
          ` Step '${name}' is reached from the branches of split '${split}' but takes no 'inputs' argument, so it does ` +
          `not join them. If it is meant to be the join, declare it as ${name}(inputs) { ... }.`
        );
      }
    }
  }
  return "";
}

/** A join must close exactly one split, reached from every one of its branches. */
function checkJoinArrivals(rule: string, graph: FlowGraph, name: string, stacks: BranchFrame[][]): void {
  const tops = stacks.map((s) => s.at(-1));
  if (tops.some((t) => t === undefined)) {
    fail(
      rule,
      `Step '${name}' takes 'inputs', which makes it a join, but no split comes before it. ` +
        `Remove the 'inputs' argument, or fan out with a split or foreach before it.`,
      name,
    );
  }
  const splitNames = new Set(tops.map((t) => t!.split));
  const prefixes = new Set(stacks.map((s) => frameKey(s.slice(0, -1))));
  if (splitNames.size > 1 || prefixes.size > 1) {
    fail(
      rule,
      `Join step '${name}' receives branches of different splits (${[...splitNames].map((s) => `'${s}'`).join(", ")}). ` +
        `A join closes exactly one split: add a separate join for each split.`,
      name,
    );
  }
  const split = graph.nodes.get([...splitNames][0]!)!;
  const reached = new Set(tops.map((t) => t!.branch));
  const expected = split.outFuncs;
  if (expected.length !== reached.size || !expected.every((b) => reached.has(b))) {
    fail(
      rule,
      `Join step '${name}' is reached from branch(es) ${[...reached].map((b) => `'${b}'`).join(", ")} of split ` +
        `'${split.name}', which has ${expected.length} branch(es): ${expected.map((b) => `'${b}'`).join(", ")}. ` +
        `Every branch of a split must lead to its join; route the missing branches to '${name}'.`,
      name,
    );
  }
}

/** The end step must be reached with every split closed. */
function checkEndClosed(rule: string, graph: FlowGraph, name: string, stacks: BranchFrame[][], arrivals: Map<string, BranchFrame[][]>): void {
  const open = stacks.find((s) => s.length > 0);
  if (!open) return;
  const splits = [...new Set(open.map((f) => f.split))].map((s) => `'${s}'`).join(", ");
  fail(
    rule,
    `The end step '${name}' is reached while the split(s) ${splits} are still open. ` +
      `Add a join step (one that takes 'inputs') before '${name}'.${forgottenJoinHint(graph, arrivals)}`,
    name,
  );
}

const splitJoinBalance: LintRule = {
  name: "splitJoinBalance",
  check(graph) {
    // For each step: the stacks of open splits it is reached with, one per distinct path context.
    const arrivals = new Map<string, BranchFrame[][]>([[graph.start!, [[]]]]);
    const arrive = (name: string, stack: BranchFrame[]): void => {
      const list = arrivals.get(name) ?? [];
      if (!list.some((s) => frameKey(s) === frameKey(stack))) list.push(stack);
      arrivals.set(name, list);
    };
    for (const name of topologicalOrder(graph)) {
      const node = graph.nodes.get(name)!;
      const stacks = arrivals.get(name) ?? [];
      let outgoing: BranchFrame[][] = stacks;
      if (node.type === "join") {
        checkJoinArrivals(this.name, graph, name, stacks);
        outgoing = [stacks[0]!.slice(0, -1)];
      }
      if (name === graph.end) checkEndClosed(this.name, graph, name, stacks, arrivals);
      const pushes = node.type === "split-static" || node.type === "split-foreach";
      for (const target of node.outFuncs) {
        if (target === name || !graph.nodes.has(target)) continue;
        for (const stack of outgoing) arrive(target, pushes ? [...stack, { split: name, branch: target }] : stack);
      }
    }
  },
};

const switchSplits: LintRule = {
  name: "switchSplits",
  check(graph) {
    for (const node of nodes(graph)) {
      if (node.type !== "split-switch") continue;
      const cases = node.switchCases ?? [];
      if (cases.length === 0) {
        fail(this.name, `Switch step '${node.name}' defines no cases. Pass an object mapping values to steps to this.next(...).`, node.name);
      }
      if (node.condition === undefined) {
        fail(
          this.name,
          `Switch step '${node.name}' has no condition. Name the artifact to switch on: this.next({ ... }, { condition: "name" }).`,
          node.name,
        );
      }
      if (cases.length < 2) {
        fail(
          this.name,
          `Switch step '${node.name}' defines ${cases.length} case; a switch needs at least 2. Use a linear this.next(...) instead.`,
          node.name,
        );
      }
    }
  },
};

const ambiguousJoins: LintRule = {
  name: "ambiguousJoins",
  check(graph) {
    for (const node of nodes(graph)) {
      if (node.type !== "split-switch") continue;
      const join = node.outFuncs.find((target) => graph.nodes.get(target)?.type === "join");
      if (join !== undefined) {
        fail(
          this.name,
          `A case of switch step '${node.name}' leads straight into the join step '${join}'. ` +
            `Put an ordinary step on that path between the switch and the join.`,
          node.name,
        );
      }
    }
  },
};

/** Each decorator's own placement check (e.g. @catch needs a step with one transition); rule `<name>Placement`. */
const decoratorPlacement: LintRule = {
  name: "decoratorPlacement",
  check(graph) {
    for (const node of nodes(graph)) {
      for (const decorator of node.decorators) {
        const problem = decorator.definition.checkStep?.({ name: node.name, type: node.type });
        if (problem) fail(`${decorator.name}Placement`, `Step '${node.name}' has @${decorator.name}, but ${problem}`, node.name);
      }
    }
  },
};

/** The rules in the order they run. The empty-foreach rule runs before the balance rule on purpose. */
export const LINT_RULES: readonly LintRule[] = [
  reservedWords,
  basicSteps,
  annotationNameConflict,
  startEndDegree,
  endIsEnd,
  stepNames,
  argumentCounts,
  staticTransitions,
  validTransitions,
  unknownTransitions,
  switchSplits,
  acyclicity,
  orphans,
  emptyForeach,
  ambiguousJoins,
  splitJoinBalance,
  decoratorPlacement,
];

/** Runs every rule in order; throws the first LintError. */
export function lintGraph(graph: FlowGraph): void {
  for (const rule of LINT_RULES) rule.check(graph);
}
