/**
 * The W&B run of one task of a flow run, as `@wandb_log` recorded it in the task's metadata
 * (wandb-log/task-wandb-record.ts): which run, its mode, where it lives on disk, its page.
 */
import path from "node:path";
import type { Datastore } from "../../flow/datastore/datastore.js";
import { taskWandbRecordOf, type LoggedAttribute, type TaskWandbRecord } from "../wandb-log/task-wandb-record.js";

/** Which task of which flow run. */
export interface TaskRef {
  flowName: string;
  runId: string;
  stepName: string;
  taskId: string;
}

/** One task and its W&B run. */
export interface TaskWandbRun {
  stepName: string;
  taskId: string;
  /** The W&B run id. */
  runId: string;
  project: string;
  entity?: string;
  mode: "online" | "offline";
  /** The run's page when the server created it; undefined offline or when the server was not reached. */
  url?: string;
  /** The run's local directory (written in every mode). */
  directory: string;
  /** The W&B directory holding the run and the local artifact registry. */
  wandbDir: string;
  /** The artifact versions the task logged, by attribute name. */
  artifacts: Record<string, LoggedAttribute>;
}

/** The W&B run recorded in a task's metadata; undefined when the task logged nothing to W&B. */
export function taskWandbRunOf(task: Pick<TaskRef, "stepName" | "taskId">, metadata: Readonly<Record<string, unknown>>): TaskWandbRun | undefined {
  const record = taskWandbRecordOf(metadata);
  if (!record) return undefined;
  const { run } = record;
  return {
    stepName: task.stepName,
    taskId: task.taskId,
    runId: run.id,
    project: run.project,
    ...(run.entity ? { entity: run.entity } : {}),
    mode: run.mode ?? legacyMode(run),
    ...(run.url ? { url: run.url } : {}),
    directory: run.dir,
    // Run directories sit directly in the W&B directory (see wandb/offline/run-directory.ts).
    wandbDir: run.wandbDir ?? path.dirname(run.dir),
    artifacts: record.artifacts,
  };
}

/** Reads a task's W&B run from the datastore; undefined when it logged nothing or is not stored yet. */
export async function readTaskWandbRun(datastore: Datastore, task: TaskRef): Promise<TaskWandbRun | undefined> {
  let metadata: Record<string, unknown>;
  try {
    metadata = (await datastore.readTask(task)).metadata;
  } catch {
    return undefined; // Not finished yet (live view) or never stored: nothing to link.
  }
  return taskWandbRunOf(task, metadata);
}

/** Records written before the mode was recorded: W&B names offline run directories `offline-run-…`. */
function legacyMode(run: TaskWandbRecord["run"]): "online" | "offline" {
  return path.basename(run.dir).startsWith("offline-") ? "offline" : "online";
}
