/**
 * Writes runs through the real Datastore API the way the engine does (same artifact names and
 * metadata keys as flow-contracts.md), so the client is tested on real stored runs.
 */
import type { ArtifactRecord, Datastore, TaskKey } from "../../src/flow/datastore/datastore.js";

export interface FixtureTask {
  step: string;
  taskId: string;
  values: Record<string, unknown>;
  /** Parent tasks as the engine writes them ("step/taskId"), or bare task ids. */
  parents?: string[];
  ok?: boolean;
  /** Leave the attempt started but not done. */
  unfinished?: boolean;
  foreachIndex?: number;
  stdout?: string;
  exception?: { type: string; message: string };
  /** Extra attempts before the final one. */
  failedAttempts?: number;
}

/** Graph of start → body (foreach) → join → end. */
export const foreachGraph = {
  flowName: "DemoFlow",
  startStep: "start",
  endStep: "end",
  steps: {
    start: { name: "start", next: ["body"] },
    body: { name: "body", next: ["join"] },
    join: { name: "join", next: ["end"] },
    end: { name: "end", next: [] },
  },
};

export async function writeRun(
  store: Datastore,
  options: { flowName: string; runId: string; createdAt: number; tags?: string[]; graph?: unknown; parameters?: Record<string, unknown>; tasks: FixtureTask[] },
): Promise<void> {
  const { flowName, runId } = options;
  await store.createRun({ flowName, runId, createdAt: options.createdAt, userName: "ada", tags: options.tags ?? [], systemTags: ["user:ada"] });
  const put = async (producer: string, name: string, value: unknown): Promise<ArtifactRecord> => ({
    name,
    producedBy: producer,
    ...(await store.putValue(flowName, value)),
  });
  const parametersKey: TaskKey = { flowName, runId, stepName: "_parameters", taskId: "0" };
  const parametersPath = `${flowName}/${runId}/_parameters/0`;
  await store.startAttempt(parametersKey, 0);
  const parameterArtifacts: Record<string, ArtifactRecord> = {
    _graph_info: await put(parametersPath, "_graph_info", options.graph ?? foreachGraph),
    _task_ok: await put(parametersPath, "_task_ok", true),
  };
  for (const [name, value] of Object.entries(options.parameters ?? {})) parameterArtifacts[name] = await put(parametersPath, name, value);
  await store.finishAttempt(parametersKey, 0, { artifacts: parameterArtifacts, metadata: { attempt: 0 } });

  for (const task of options.tasks) {
    const key: TaskKey = { flowName, runId, stepName: task.step, taskId: task.taskId };
    const producer = `${flowName}/${runId}/${task.step}/${task.taskId}`;
    const lastAttempt = task.failedAttempts ?? 0;
    for (let attempt = 0; attempt < lastAttempt; attempt++) {
      await store.startAttempt(key, attempt);
      await store.appendLog(key, attempt, "stderr", `attempt ${attempt} failed\n`);
      await store.finishAttempt(key, attempt, {
        artifacts: { _task_ok: await put(producer, "_task_ok", false), _success: await put(producer, "_success", false) },
        metadata: { attempt },
      });
    }
    await store.startAttempt(key, lastAttempt);
    if (task.stdout) await store.appendLog(key, lastAttempt, "stdout", task.stdout);
    if (task.unfinished) continue;
    const ok = task.ok ?? true;
    const artifacts: Record<string, ArtifactRecord> = {
      name: await put(producer, "name", flowName),
      _task_ok: await put(producer, "_task_ok", ok),
      _success: await put(producer, "_success", ok && !task.exception),
      _exception: await put(producer, "_exception", task.exception ?? null),
      _foreach_stack: await put(
        producer,
        "_foreach_stack",
        task.foreachIndex === undefined ? [] : [{ step: "start", var: "items", numSplits: 3, index: task.foreachIndex, value: task.foreachIndex }],
      ),
    };
    for (const [name, value] of Object.entries(task.values)) artifacts[name] = await put(producer, name, value);
    await store.finishAttempt(key, lastAttempt, {
      artifacts,
      metadata: { attempt: lastAttempt, retryCount: lastAttempt, parentTaskIds: task.parents ?? [] },
    });
  }
}

/** A finished foreach run: start/1 → body/2,3,4 → join/5 → end/6. */
export async function writeForeachRun(store: Datastore, runId: string, createdAt: number, endOk = true): Promise<void> {
  await writeRun(store, {
    flowName: "DemoFlow",
    runId,
    createdAt,
    tags: ["nightly"],
    parameters: { alpha: 0.5 },
    tasks: [
      { step: "start", taskId: "1", values: { items: [10, 20, 30], _private: "hidden" }, stdout: "starting\n" },
      ...[0, 1, 2].map((i) => ({ step: "body", taskId: String(i + 2), values: { square: (10 * (i + 1)) ** 2 }, parents: ["start/1"], foreachIndex: i })),
      // Bare ids (no step) are accepted too: the client finds their step from the graph.
      { step: "join", taskId: "5", values: { total: 1400 }, parents: ["2", "3", "4"] },
      endOk
        ? { step: "end", taskId: "6", values: { total: 1400, summary: new Map([["ok", true]]) }, parents: ["join/5"] }
        : { step: "end", taskId: "6", values: {}, parents: ["join/5"], ok: false, exception: { type: "Error", message: "boom" } },
    ],
  });
}
