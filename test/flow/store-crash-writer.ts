/**
 * Child process for the crash-safety test: writes tasks with large artifacts in a loop until it is
 * killed. Each task's value is derived from its id so the parent can check what it reads back.
 * Prints "writing <taskId>" before storing each task's values and "finishing <taskId>" before its
 * done file (the index), so the parent can kill it in either phase. Each task also stores many small
 * values, which the store keeps inline in the index.
 * Usage: writer <root> <runId> [taskCount]: with a count it stops after that many tasks.
 * With WBFLOW_CRASH_IN_INDEX=<taskId> the process kills itself (SIGKILL) exactly half-way through
 * writing that task's index, a moment a kill from outside cannot be timed to hit.
 */
import fs from "node:fs";
import { syncBuiltinESMExports } from "node:module";
import { Datastore, type ArtifactRecord } from "../../src/flow/datastore/datastore.js";

const crashInIndexOf = process.env.WBFLOW_CRASH_IN_INDEX;
if (crashInIndexOf !== undefined) {
  const writeFileSync = fs.writeFileSync;
  const indexTemporary = new RegExp(`/work/${crashInIndexOf}/\\.tmp-[^/]+$`);
  fs.writeFileSync = ((path: fs.PathOrFileDescriptor, data: string | NodeJS.ArrayBufferView, ...rest: [fs.WriteFileOptions?]) => {
    if (typeof path === "string" && indexTemporary.test(path) && typeof data === "string") {
      writeFileSync(path, data.slice(0, data.length >> 1));
      process.kill(process.pid, "SIGKILL");
    }
    writeFileSync(path, data, ...rest);
  }) as typeof fs.writeFileSync;
  syncBuiltinESMExports(); // the datastore's `import { writeFileSync } from "node:fs"` sees the wrapper
}

const root = process.argv[2]!;
const store = new Datastore({ root });
const flowName = "CrashFlow";
const runId = process.argv[3]!;
const taskCount = process.argv[4] === undefined ? Infinity : Number(process.argv[4]);

/** Large enough that writing it takes a while; different per task so every blob is new. */
export function valueFor(taskId: number): Float64Array {
  const values = new Float64Array(2_000_000);
  for (let i = 0; i < values.length; i++) values[i] = taskId * 1_000_000 + i;
  return values;
}

/** Number of small (inline) values each task stores besides `values` and `info`. */
export const SMALL_VALUES = 5000;

/** The k-th small value of a task. */
export function smallValueFor(taskId: number, k: number): { taskId: number; k: number } {
  return { taskId, k };
}

async function main(): Promise<void> {
  await store.createRun({ flowName, runId, createdAt: 0, userName: "crash", tags: [], systemTags: [] });
  for (let taskId = 1; taskId <= taskCount; taskId++) {
    const key = { flowName, runId, stepName: "work", taskId: String(taskId) };
    await store.startAttempt(key, 0);
    process.stdout.write(`writing ${taskId}\n`);
    const stored = await store.putValue(flowName, valueFor(taskId));
    const extra = await store.putValue(flowName, { taskId, label: `task ${taskId}` });
    const producedBy = `${flowName}/${runId}/work/${taskId}`;
    const artifacts = {
      values: { name: "values", producedBy, ...stored },
      info: { name: "info", producedBy, ...extra },
    } as Record<string, ArtifactRecord>;
    for (let k = 0; k < SMALL_VALUES; k++) {
      artifacts[`small${k}`] = { name: `small${k}`, producedBy, ...(await store.putValue(flowName, smallValueFor(taskId, k))) };
    }
    process.stdout.write(`finishing ${taskId}\n`);
    await store.finishAttempt(key, 0, { artifacts, metadata: { taskId } });
  }
}

if (process.argv[1]?.endsWith("store-crash-writer.ts")) void main();
