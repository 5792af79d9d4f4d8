/**
 * A flow run → its W&B runs, the artifact versions they logged (read back with size, producer and
 * consumers) and the lineage between them. The kernel's run report and live view use it; so can any
 * other reader (the CLI), since it needs nothing but the datastore and the W&B directories.
 */
import path from "node:path";
import type { Datastore } from "../../flow/datastore/datastore.js";
import type { ArtifactVersion } from "../../wandb/artifacts/artifact-version.js";
import { LocalArtifacts } from "../../wandb/offline/local-artifacts.js";
import type { LineageData } from "../../display/lineage-graph.js";
import { readTaskWandbRun, type TaskWandbRun } from "./task-wandb-run.js";

/** Which flow run to report on. `tasks` (a `FlowRun` has them) saves listing them from the datastore. */
export interface FlowRunToReport {
  flowName: string;
  runId: string;
  datastore: Datastore;
  tasks?: readonly { stepName: string; taskId: string }[];
}

/** What W&B holds for one flow run. */
export interface FlowRunWandbReport {
  /** One entry per task that logged to W&B, in the order of `tasks` (else of the task ids). */
  runs: TaskWandbRun[];
  /** The exact artifact versions the tasks logged; a version that cannot be read back is left out. */
  versions: ArtifactVersion[];
  /** Runs, versions and the produce/consume edges between them. */
  lineage: LineageData;
}

/** The W&B runs, versions and lineage of a flow run (empty when no step used `@wandb_log`). */
export async function flowRunWandbReport(flowRun: FlowRunToReport): Promise<FlowRunWandbReport> {
  const runs = await wandbRunsOfTasks(flowRun);
  const versions = await loggedVersions(runs);
  return { runs, versions, lineage: lineageOf(runs, versions) };
}

/** The W&B run of each task of the flow run that logged one. */
export async function wandbRunsOfTasks(flowRun: FlowRunToReport): Promise<TaskWandbRun[]> {
  const tasks = flowRun.tasks ?? (await storedTasks(flowRun));
  const runs = await Promise.all(
    tasks.map((task) => readTaskWandbRun(flowRun.datastore, { flowName: flowRun.flowName, runId: flowRun.runId, ...task })),
  );
  return runs.filter((run): run is TaskWandbRun => run !== undefined);
}

async function storedTasks(flowRun: FlowRunToReport): Promise<{ stepName: string; taskId: string }[]> {
  const { datastore, flowName, runId } = flowRun;
  const steps = (await datastore.listSteps(flowName, runId)).filter((step) => !step.startsWith("_"));
  const perStep = await Promise.all(
    steps.map(async (stepName) => (await datastore.listTasks(flowName, runId, stepName)).map((taskId) => ({ stepName, taskId }))),
  );
  // Task ids grow through a run, so their order is the order the tasks started in.
  return perStep.flat().sort((a, b) => Number(a.taskId) - Number(b.taskId) || a.taskId.localeCompare(b.taskId));
}

/**
 * The exact versions the runs logged, each read once from the W&B directory its run wrote to. They
 * are found by digest (a version's identity) and numbered as the registry numbers them now: after a
 * sync that is the W&B server's number, whatever number the task recorded when it ran offline.
 */
async function loggedVersions(runs: readonly TaskWandbRun[]): Promise<ArtifactVersion[]> {
  // Per W&B directory and collection, the digests logged, in the order first logged.
  const wanted = new Map<string, Map<string, { project: string; name: string; digests: Set<string> }>>();
  for (const run of runs) {
    const collections = wanted.get(run.wandbDir) ?? new Map<string, { project: string; name: string; digests: Set<string> }>();
    wanted.set(run.wandbDir, collections);
    for (const logged of Object.values(run.artifacts)) {
      const key = `${logged.project}/${logged.name}`;
      const collection = collections.get(key) ?? { project: logged.project, name: logged.name, digests: new Set<string>() };
      collections.set(key, collection);
      collection.digests.add(logged.digest);
    }
  }
  const versions: ArtifactVersion[] = [];
  for (const [wandbDir, collections] of wanted) {
    const local = new LocalArtifacts(wandbDir, path.dirname(wandbDir));
    for (const { project, name, digests } of collections.values()) {
      try {
        const found = await local.openDigests(project, name, digests);
        for (const digest of digests) if (found.has(digest)) versions.push(found.get(digest)!);
      } catch {
        // A collection that cannot be read back is left out of the report rather than failing it.
      }
    }
  }
  return versions;
}

/** Runs and versions as lineage nodes, with an edge for each production and each use within the flow run. */
export function lineageOf(runs: readonly TaskWandbRun[], versions: readonly ArtifactVersion[]): LineageData {
  const runIds = new Set(runs.map((r) => r.runId));
  const edges: LineageData["edges"][number][] = [];
  for (const version of versions) {
    const id = `artifact:${version.project}/${version.name}:${version.version}`;
    if (version.producer && runIds.has(version.producer.runId)) edges.push({ from: `run:${version.producer.runId}`, to: id });
    for (const consumer of version.consumers) if (runIds.has(consumer.runId)) edges.push({ from: id, to: `run:${consumer.runId}` });
  }
  return {
    runs: runs.map((r) => ({ id: `run:${r.runId}`, label: `${r.stepName}/${r.taskId}\n${r.runId}`, ...(r.url ? { url: r.url } : {}) })),
    artifacts: versions.map((v) => ({ id: `artifact:${v.project}/${v.name}:${v.version}`, label: `${v.name}:${v.version}`, type: v.type })),
    edges,
  };
}
