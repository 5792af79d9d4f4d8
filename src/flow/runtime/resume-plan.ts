/**
 * Resume: which tasks of the origin run can be reused (finished OK, same place in the graph, not in
 * the re-run set, all inputs reused too), and how a reused task is cloned into the new run.
 */
import { pathspecOf, type ArtifactRecord, type Datastore, type TaskKey } from "../datastore/datastore.js";
import { ResumeError } from "../errors.js";
import { reachableFrom, type FlowGraph } from "../graph/graph.js";
import type { RunContext, TaskSpec } from "./run-context.js";
import type { ChosenTransition } from "../task/task-state.js";
import { boundHooksOf } from "../task/attempt-body.js";
import { runTaskClonedHooks } from "../task/lifecycle.js";

/** What a resume reuses from its origin run. */
export interface ClonePlan {
  originRunId: string;
  /** Origin tasks that finished OK, by pathspec index without the run id (`step[i][k]`). */
  originTasks: Map<string, TaskKey>;
  /** Steps that run again whatever the origin did: the chosen step and everything after it. */
  rerunSteps: Set<string>;
}

/** The pseudo-step holding a run's parameters and constants. */
export const PARAMETERS_STEP = "_parameters";

/** Reads the origin run and decides what a resume may reuse. */
export async function buildClonePlan(
  datastore: Datastore,
  graph: FlowGraph,
  originRunId: string,
  step: string | undefined,
): Promise<ClonePlan> {
  const flowName = graph.flowName;
  if (step !== undefined && !graph.nodes.has(step)) {
    throw new ResumeError(
      `Cannot resume flow ${flowName} from step '${step}': the flow has no such step. Steps: ${[...graph.nodes.keys()].join(", ")}.`,
    );
  }
  const rerunSteps = step === undefined ? new Set<string>() : reachableFrom(graph, step);
  const originTasks = new Map<string, TaskKey>();
  for (const stepName of await datastore.listSteps(flowName, originRunId)) {
    if (stepName === PARAMETERS_STEP || rerunSteps.has(stepName)) continue;
    for (const taskId of await datastore.listTasks(flowName, originRunId, stepName)) {
      const key: TaskKey = { flowName, runId: originRunId, stepName, taskId };
      const stored = await datastore.readTask(key).catch(() => undefined);
      const okRecord = stored?.artifacts._task_ok;
      if (!stored || !okRecord || (await datastore.getValue(flowName, okRecord)) !== true) continue;
      const index = String(stored.metadata.pathspecIndex ?? "");
      originTasks.set(index.slice(index.indexOf("/") + 1), key);
    }
  }
  return { originRunId, originTasks, rerunSteps };
}

/** Whether an origin task's transition is still valid in the current code's graph. */
function agreesWithGraph(run: RunContext, stepName: string, transition: ChosenTransition | undefined): boolean {
  const node = run.graph.nodes.get(stepName)!;
  if (!transition) return stepName === run.graph.end;
  if (node.type === "split-switch") return transition.targets.length === 1 && node.outFuncs.includes(transition.targets[0]!);
  return (
    transition.foreachVar === (node.foreachVar ?? null) &&
    transition.targets.length === node.outFuncs.length &&
    transition.targets.every((target, i) => target === node.outFuncs[i])
  );
}

/** Shas already checked during this resume: inherited values are shared by many tasks. */
const checkedShas = new WeakMap<ClonePlan, Set<string>>();

async function checkOnce(run: RunContext, plan: ClonePlan, records: ArtifactRecord[]): Promise<void> {
  const checked = checkedShas.get(plan) ?? new Set<string>();
  checkedShas.set(plan, checked);
  const fresh = records.filter((record) => !checked.has(record.sha));
  await run.datastore.checkArtifacts(run.flowName, fresh);
  for (const record of fresh) checked.add(record.sha);
}

/**
 * Copies an origin task into the new run (its artifact index only; no data is rewritten). Returns
 * undefined, copying nothing, when the origin task's transition no longer fits the current graph
 * (the code changed): that task then runs again.
 */
export async function cloneTask(
  run: RunContext,
  plan: ClonePlan,
  key: TaskKey,
  spec: TaskSpec,
  pathspecIndex: string,
): Promise<{ transition: ChosenTransition | undefined; artifacts: Record<string, ArtifactRecord> } | undefined> {
  const originKey = plan.originTasks.get(pathspecIndex)!;
  const origin = await run.datastore.readTask(originKey);
  // A damaged value is refused here rather than handed on to the new run.
  await checkOnce(run, plan, Object.values(origin.artifacts));
  const read = async (name: string): Promise<unknown> => {
    const record = origin.artifacts[name];
    return record ? run.datastore.getValue(run.flowName, record) : undefined;
  };
  const stored = (await read("_transition")) as [string[], string | null] | null | undefined;
  let transition: ChosenTransition | undefined;
  if (stored) {
    transition = { targets: stored[0], foreachVar: stored[1] };
    if (stored[1] !== null) transition.elements = ((await read("_foreach_values")) as string[] | undefined) ?? [];
  }
  if (!agreesWithGraph(run, spec.stepName, transition)) return undefined;
  await run.datastore.startAttempt(key, 0);
  await run.datastore.finishAttempt(key, 0, {
    artifacts: origin.artifacts,
    metadata: {
      ...origin.metadata,
      attempt: 0,
      retryCount: 0,
      pathspecIndex: `${run.runId}/${pathspecIndex}`,
      parentTaskIds: spec.parents.map((p) => `${p.stepName}/${p.taskId}`),
      originRunId: plan.originRunId,
      originTaskId: originKey.taskId,
      clonedFrom: pathspecOf(originKey),
    },
  });
  const report = (error: unknown) =>
    process.stderr.write(`wbflow: task ${pathspecOf(key)} was reused from ${pathspecOf(originKey)}, but a step decorator's onTaskCloned hook failed: ${(error as Error).message ?? String(error)}\n`);
  await runTaskClonedHooks(boundHooksOf(run, spec, 0), { pathspec: pathspecOf(originKey), metadata: origin.metadata }, report);
  return { transition, artifacts: origin.artifacts };
}
