/**
 * `current`: facts about the task that is running, read from an AsyncLocalStorage so that tasks
 * running concurrently each see their own values.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { NotInTaskError } from "../errors.js";
import type { GraphInfo } from "../graph/graph-info.js";

/** What `current` reads while a task runs. */
export interface CurrentTask {
  flowName: string;
  runId: string;
  stepName: string;
  taskId: string;
  retryCount: number;
  originRunId: string | undefined;
  parameterNames: string[];
  username: string;
  tags: string[];
  graph: GraphInfo;
}

const storage = new AsyncLocalStorage<CurrentTask>();

/** Runs `work` with `task` as what `current` reports (used by the runtime). */
export function runWithCurrentTask<T>(task: CurrentTask, work: () => T): T {
  return storage.run(task, work);
}

/** The running task's facts, as Metaflow's `current` singleton; undefined values outside a task. */
export interface Current {
  /** True inside a running task. */
  readonly isRunningFlow: boolean;
  readonly flowName: string | undefined;
  readonly runId: string | undefined;
  readonly stepName: string | undefined;
  readonly taskId: string | undefined;
  /** 0 on the first attempt of a task, then 1, 2... */
  readonly retryCount: number | undefined;
  /** The run this run resumes, or undefined for a fresh run. */
  readonly originRunId: string | undefined;
  /** `Flow/run/step/task`. */
  readonly pathspec: string | undefined;
  /** Attribute names of the flow's parameters. */
  readonly parameterNames: string[] | undefined;
  readonly username: string | undefined;
  /** The run's user tags. */
  readonly tags: string[] | undefined;
  /** The flow's graph info; throws NotInTaskError outside a task. */
  readonly graph: GraphInfo;
}

/** Facts about the running task; safe under concurrent tasks. */
export const current: Current = Object.freeze({
  get isRunningFlow() {
    return storage.getStore() !== undefined;
  },
  get flowName() {
    return storage.getStore()?.flowName;
  },
  get runId() {
    return storage.getStore()?.runId;
  },
  get stepName() {
    return storage.getStore()?.stepName;
  },
  get taskId() {
    return storage.getStore()?.taskId;
  },
  get retryCount() {
    return storage.getStore()?.retryCount;
  },
  get originRunId() {
    return storage.getStore()?.originRunId;
  },
  get pathspec() {
    const task = storage.getStore();
    return task ? `${task.flowName}/${task.runId}/${task.stepName}/${task.taskId}` : undefined;
  },
  get parameterNames() {
    const names = storage.getStore()?.parameterNames;
    return names ? [...names] : undefined;
  },
  get username() {
    return storage.getStore()?.username;
  },
  get tags() {
    const tags = storage.getStore()?.tags;
    return tags ? [...tags] : undefined;
  },
  get graph(): GraphInfo {
    const task = storage.getStore();
    if (!task) throw new NotInTaskError("current.graph is only available inside a running step.");
    return task.graph;
  },
});
