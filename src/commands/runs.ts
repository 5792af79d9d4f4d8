/** The runs verb (`wbflow runs`, `%flow runs`): past runs, newest first, with status, duration, tags. */
import { Metaflow } from "../flow/client/client.js";
import type { Run } from "../flow/client/run.js";
import type { Datastore } from "../flow/datastore/datastore.js";
import { formatDuration } from "../display/short-value.js";
import { findPathspec } from "./find-pathspec.js";
import { CommandInputError } from "./errors.js";

/** One past run as `runs` lists it. */
export interface RunSummary {
  pathspec: string;
  flow: string;
  runId: string;
  /** "successful", "failed" or "running" (not finished and no failed task seen: still going, or killed). */
  status: "successful" | "failed" | "running";
  createdAt: string;
  /** Milliseconds from creation to the end task's finish; undefined while unfinished. */
  durationMs: number | undefined;
  tags: string[];
  originRunId: string | undefined;
}

async function summarize(run: Run): Promise<RunSummary> {
  const info = await run.info();
  const end = await run.endTask();
  const finished = end !== undefined && (await end.finished());
  const failed = !finished && (await hasFailedTask(run));
  const finishedAt = finished ? await end.finishedAt() : undefined;
  return {
    pathspec: run.pathspec,
    flow: run.flowName,
    runId: run.id,
    status: finished && (await end.successful()) ? "successful" : finished || failed ? "failed" : "running",
    createdAt: new Date(info.createdAt).toISOString(),
    durationMs: finishedAt ? finishedAt.getTime() - info.createdAt : undefined,
    tags: [...info.tags],
    originRunId: info.originRunId,
  };
}

/** Whether some task's latest attempt finished and failed (its `_task_ok` is false): the run stopped there. */
async function hasFailedTask(run: Run): Promise<boolean> {
  for (const step of await run.steps()) {
    for (const task of await step.tasks()) {
      const done = await task.stored().then(() => true, () => false);
      if (done && !(await task.finished())) return true;
    }
  }
  return false;
}

/** Newest first: run ids are epoch microseconds (compare by length, then as text). */
function newestFirst(a: Run, b: Run): number {
  return b.id.length - a.id.length || (b.id > a.id ? 1 : b.id < a.id ? -1 : 0);
}

/** Options of `listRuns`. */
export interface ListRunsOptions {
  /** Only this flow's runs; default every flow's. */
  flow?: string;
  /** Only runs with every one of these tags. */
  tags?: string[];
  /** At most this many runs (newest first). */
  limit?: number;
}

/** Past runs, newest first. */
export async function listRuns(datastore: Datastore, options: ListRunsOptions = {}): Promise<RunSummary[]> {
  let runs: Run[] = [];
  if (options.flow !== undefined) {
    const found = await findPathspec(options.flow, datastore);
    if (found.kind !== "flow") throw new CommandInputError(`runs takes a flow name, not ${options.flow}.`);
    runs = await found.flow.runs(...(options.tags ?? []));
  } else {
    for (const flow of await new Metaflow({ datastore }).flows()) runs.push(...(await flow.runs(...(options.tags ?? []))));
  }
  runs.sort(newestFirst);
  const limited = options.limit === undefined ? runs : runs.slice(0, options.limit);
  return Promise.all(limited.map(summarize));
}

/** Table headers and rows of run summaries, for text and HTML tables. */
export function runsTable(runs: RunSummary[]): { headers: string[]; rows: string[][] } {
  return {
    headers: ["run", "status", "created (UTC)", "duration", "tags"],
    rows: runs.map((run) => [
      run.pathspec,
      run.status,
      run.createdAt.replace("T", " ").slice(0, 19),
      run.durationMs === undefined ? "" : formatDuration(run.durationMs),
      run.tags.join(", "),
    ]),
  };
}
