/** What a running task exposes: the middleware's TaskContext and the facts `current` reports. */
import type { CurrentTask } from "./current.js";
import type { ArtifactActivity, TaskContext } from "./middleware.js";
import type { RunContext, TaskSpec } from "../runtime/run-context.js";

/** The TaskContext of a task attempt, without the options of a particular decorator. */
export function createTaskContext(
  run: RunContext,
  spec: TaskSpec,
  attempt: number,
  pathspec: string,
  artifacts: ArtifactActivity,
  /** Receives what middleware adds with addMetadata (stored with the attempt). */
  metadata: Record<string, unknown>,
): Omit<TaskContext, "decoratorOptions"> {
  const step = run.definition.steps.get(spec.stepName)!;
  return {
    flowName: run.flowName,
    runId: run.runId,
    stepName: spec.stepName,
    taskId: spec.taskId,
    pathspec,
    retryCount: attempt,
    foreachIndex: spec.foreachStack.at(-1)?.index,
    foreachStack: spec.foreachStack,
    parameters: run.parameterValues,
    parameterNames: run.definition.parameters.map((p) => p.attribute),
    decorators: new Map(step.decorators.map((d) => [d.name, d.options])),
    addMetadata: (name, value) => {
      metadata[name] = JSON.parse(JSON.stringify(value ?? null)) as unknown;
    },
    artifacts,
    readTaskMetadata: async (other) => {
      const [flowName, runId, stepName, taskId, extra] = other.split("/");
      if (!flowName || !runId || !stepName || !taskId || extra !== undefined) {
        throw new TypeError(`readTaskMetadata needs a task pathspec Flow/run/step/task; got '${other}'.`);
      }
      let metadata = run.taskMetadataCache.get(other);
      if (!metadata) {
        metadata = run.datastore.readTask({ flowName, runId, stepName, taskId }).then((task) => task.metadata);
        // A failed read (e.g. the task is not finished) is not remembered: a later call reads again.
        metadata.catch(() => run.taskMetadataCache.delete(other));
        run.taskMetadataCache.set(other, metadata);
      }
      return metadata;
    },
  };
}

/** The facts `current` reports inside a task attempt. */
export function currentTaskOf(run: RunContext, spec: TaskSpec, attempt: number): CurrentTask {
  return {
    flowName: run.flowName,
    runId: run.runId,
    stepName: spec.stepName,
    taskId: spec.taskId,
    retryCount: attempt,
    originRunId: run.originRunId,
    parameterNames: run.definition.parameters.map((p) => p.attribute),
    username: run.userName,
    tags: run.tags,
    graph: run.graphInfo,
  };
}
