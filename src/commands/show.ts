/**
 * The show and check verbs (`wbflow show|check`, `%flow show|check`): a flow's graph as text or as a
 * picture, and the lint check that runs before every run.
 */
import type { FlowSpec } from "../flow/define/spec.js";
import type { GraphInfo, StepInfo } from "../flow/graph/graph-info.js";
import { flowDagDot } from "../display/flow-dag.js";

function stepKind(step: StepInfo): string {
  const kind: Record<string, string> = {
    "split-foreach": `foreach over ${step.foreachVar ?? "?"}`,
    "split-static": "split",
    "split-switch": `switch on ${step.condition ?? "?"}`,
    join: "join",
  };
  const decorators = step.decorators.map((d) => `@${d.name}`).join(" ");
  return [kind[step.type], decorators].filter(Boolean).join(", ");
}

function successors(step: StepInfo): string {
  if (step.switchCases) return Object.entries(step.switchCases).map(([value, target]) => `${target} (${value})`).join(", ");
  return step.next.join(", ");
}

/** The graph as text, one block per step in graph order: `Step name (kind)` then `=> next steps`. */
export function graphText(graph: GraphInfo): string {
  const parameters = graph.parameters.map((p) => `--${p.name} (${p.type})`).join(", ");
  const header = `${graph.flowName}: ${Object.keys(graph.steps).length} steps${parameters ? `; parameters ${parameters}` : ""}`;
  const blocks = Object.values(graph.steps).map((step) => {
    const kind = stepKind(step);
    return `Step ${step.name}${kind ? ` (${kind})` : ""}\n    ${step.next.length ? `=> ${successors(step)}` : "(end of the flow)"}`;
  });
  return [header, ...blocks].join("\n\n");
}

/** The graph as an SVG picture (Graphviz, loaded only when a picture is asked for). */
export async function graphSvg(graph: GraphInfo): Promise<string> {
  const { renderDotToSvg } = await import("../display/graphviz.js");
  return renderDotToSvg(flowDagDot({ flowName: graph.flowName, steps: graph.steps }));
}

/** The one-line verdict of a passed check. */
export function checkPassedText(graph: GraphInfo): string {
  const steps = Object.keys(graph.steps);
  const parameters = graph.parameters.length === 1 ? "1 parameter" : `${graph.parameters.length} parameters`;
  return `${graph.flowName} is valid: ${steps.length} steps (${steps.join(", ")}), ${parameters}.`;
}

/** Checks a flow class (definition and graph lint); throws FlowDefinitionError or LintError. */
export function checkFlow(flow: typeof FlowSpec): GraphInfo {
  return flow.check();
}
