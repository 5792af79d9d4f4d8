/**
 * The W&B run of each task of a flow run, read from the task metadata `@wandb_log` records
 * (integration/task-wandb-record.ts): its id, project, entity and local run directory.
 */
import path from "node:path";
import type { Datastore } from "../../flow/datastore/datastore.js";
import { taskWandbRecordOf, type TaskWandbRecord } from "../../integration/wandb-log/task-wandb-record.js";
import { runUrl } from "../../wandb/online/app-urls.js";
import { DEFAULT_BASE_URL } from "../../wandb/settings/settings.js";
import { wandbSession } from "../magics/wandb-session-state.js";

/** One task and its W&B run. */
export interface TaskWandbRun {
  stepName: string;
  taskId: string;
  record: TaskWandbRecord;
  /** The run page when the run went online; undefined offline. */
  url?: string;
  /** The local run directory (always written, online or offline). */
  directory: string;
  offline: boolean;
}

/** Reads the W&B record of a task; undefined when the task logged nothing to W&B. */
export async function taskWandbRun(
  datastore: Datastore,
  task: { flowName: string; runId: string; stepName: string; taskId: string },
  env: NodeJS.ProcessEnv,
): Promise<TaskWandbRun | undefined> {
  let metadata: Record<string, unknown>;
  try {
    metadata = (await datastore.readTask(task)).metadata;
  } catch {
    return undefined; // Not finished yet (live view) or never stored: nothing to link.
  }
  const record = taskWandbRecordOf(metadata);
  if (!record) return undefined;
  const offline = path.basename(record.run.dir).startsWith("offline-");
  const entity = record.run.entity ?? wandbSession.viewer?.entity;
  const base = env.WANDB_BASE_URL || DEFAULT_BASE_URL;
  return {
    stepName: task.stepName,
    taskId: task.taskId,
    record,
    directory: record.run.dir,
    offline,
    ...(!offline && entity ? { url: runUrl(base, entity, record.run.project, record.run.id, env.WANDB_APP_URL) } : {}),
  };
}
