/**
 * The logs verb (`wbflow logs`, `%flow logs`): the captured output of a task, or of every task of a
 * step or run in order (foreach splits in index order).
 */
import type { Datastore } from "../flow/datastore/datastore.js";
import { findPathspec, tasksOf } from "./find-pathspec.js";

/** One task's captured output. */
export interface TaskLog {
  pathspec: string;
  text: string;
}

/** The `stream` output of every task `pathspec` covers, in order. */
export async function readLogs(pathspec: string, datastore: Datastore, stream: "stdout" | "stderr"): Promise<TaskLog[]> {
  const tasks = await tasksOf(await findPathspec(pathspec, datastore));
  return Promise.all(tasks.map(async (task) => ({ pathspec: task.pathspec, text: await (stream === "stdout" ? task.stdout() : task.stderr()) })));
}

/**
 * Logs as text: one task's output as it is; several tasks each under a `[pathspec]` header
 * (tasks with no output are left out).
 */
export function formatLogs(logs: TaskLog[]): string {
  if (logs.length === 1) return logs[0]!.text;
  return logs
    .filter((log) => log.text.length > 0)
    .map((log) => `[${log.pathspec}]\n${log.text.endsWith("\n") ? log.text : `${log.text}\n`}`)
    .join("");
}
