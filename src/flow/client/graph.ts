import type { Datastore } from "../datastore/datastore.js";

/** Step name → names of the steps it transitions to, as stored in `_graph_info`. */
export type StepEdges = Map<string, string[]>;

/** What the client needs of a run's stored graph. */
export interface RunGraph {
  edges: StepEdges;
  /** The step whose task decides whether the run succeeded; "end" when the run stored no graph. */
  endStep: string;
}

/** The pseudo-step that holds parameters, constants and the graph of a run. */
export const PARAMETERS_STEP = "_parameters";

/**
 * Reads a run's step graph from the `_graph_info` artifact of its `_parameters` task (the engine's
 * `GraphInfo`: `{ endStep, steps: { name: { next } } }`; `steps` may also be an array of
 * `{ name, next }`). A run without a stored graph gives no edges and the end step "end".
 */
export async function readRunGraph(datastore: Datastore, flowName: string, runId: string): Promise<RunGraph> {
  const edges: StepEdges = new Map();
  const graph = await readGraphInfo(datastore, flowName, runId);
  const steps = graph?.steps;
  const entries: Array<[string, unknown]> = Array.isArray(steps)
    ? steps.map((step: { name?: string; next?: unknown }) => [String(step.name), step.next])
    : Object.entries((steps ?? {}) as Record<string, { next?: unknown }>).map(([name, step]) => [name, step?.next]);
  for (const [name, next] of entries) edges.set(name, Array.isArray(next) ? next.map(String) : []);
  return { edges, endStep: typeof graph?.endStep === "string" ? graph.endStep : "end" };
}

async function readGraphInfo(datastore: Datastore, flowName: string, runId: string): Promise<{ steps?: unknown; endStep?: unknown } | undefined> {
  const taskIds = await datastore.listTasks(flowName, runId, PARAMETERS_STEP).catch((): string[] => []);
  const taskId = taskIds[0];
  if (taskId === undefined) return undefined;
  const stored = await datastore.readTask({ flowName, runId, stepName: PARAMETERS_STEP, taskId });
  const record = stored.artifacts._graph_info;
  if (!record) return undefined;
  return ((await datastore.getValue(flowName, record)) ?? undefined) as { steps?: unknown; endStep?: unknown } | undefined;
}

/** Steps that transition into `stepName`, in graph order. */
export function parentsOf(edges: StepEdges, stepName: string): string[] {
  return [...edges].filter(([, next]) => next.includes(stepName)).map(([name]) => name);
}
