import type { Datastore } from "./datastore.js";

/** Step name → names of the steps it transitions to, as stored in `_graph_info`. */
export type StepEdges = Map<string, string[]>;

/** The pseudo-step that holds parameters, constants and the graph of a run. */
export const PARAMETERS_STEP = "_parameters";

/**
 * Reads a run's step graph from the `_graph_info` artifact of its `_parameters` task. Accepts the
 * graph as `{ steps: { name: { next } } }` or `{ steps: [{ name, next }] }`; returns an empty map
 * when the run stored no graph.
 */
export async function readStepEdges(datastore: Datastore, flowName: string, runId: string): Promise<StepEdges> {
  const edges: StepEdges = new Map();
  const taskIds = await datastore.listTasks(flowName, runId, PARAMETERS_STEP).catch((): string[] => []);
  const taskId = taskIds[0];
  if (taskId === undefined) return edges;
  const stored = await datastore.readTask({ flowName, runId, stepName: PARAMETERS_STEP, taskId });
  const record = stored.artifacts._graph_info;
  if (!record) return edges;
  const graph = (await datastore.getValue(flowName, record)) as { steps?: unknown } | null;
  const steps = graph?.steps;
  const entries: Array<[string, unknown]> = Array.isArray(steps)
    ? steps.map((step: { name?: string; next?: unknown }) => [String(step.name), step.next])
    : Object.entries((steps ?? {}) as Record<string, { next?: unknown }>).map(([name, step]) => [name, step?.next]);
  for (const [name, next] of entries) edges.set(name, Array.isArray(next) ? next.map(String) : []);
  return edges;
}

/** Steps that transition into `stepName`, in graph order. */
export function parentsOf(edges: StepEdges, stepName: string): string[] {
  return [...edges].filter(([, next]) => next.includes(stepName)).map(([name]) => name);
}
