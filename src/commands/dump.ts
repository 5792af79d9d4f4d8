/**
 * The dump verb (`wbflow dump`, `%flow dump`): a task's artifacts (or every task's of a step) as
 * previews, one artifact's value as JSON, or one artifact written to a file (Parquet for tables).
 */
import { cp, writeFile } from "node:fs/promises";
import type { Datastore } from "../flow/datastore/datastore.js";
import type { Task } from "../flow/client/task.js";
import { FilePath } from "../codecs/files/file-path.js";
import { isTableValue, jsonPreview, previewValue, type ValuePreview } from "../display/value-preview.js";
import { nearestHint } from "../core/nearest-names.js";
import { CommandInputError, NotFoundError } from "./errors.js";
import { findPathspec, tasksOf } from "./find-pathspec.js";

/** One artifact of one task. */
export interface DumpedArtifact {
  name: string;
  value: unknown;
  preview: ValuePreview;
}

/** One task's dumped artifacts. */
export interface DumpedTask {
  pathspec: string;
  artifacts: DumpedArtifact[];
}

async function dumpTask(task: Task, name: string | undefined): Promise<DumpedTask> {
  const names = (await task.artifacts()).map((artifact) => artifact.id);
  if (name !== undefined && !names.includes(name)) {
    throw new NotFoundError(`Task ${task.pathspec} has no artifact '${name}'.${nearestHint(name, names, "It has no public artifacts.")}`);
  }
  const wanted = name === undefined ? names : [name];
  const values = await Promise.all(wanted.map((n) => task.get(n)));
  return { pathspec: task.pathspec, artifacts: wanted.map((n, i) => ({ name: n, value: values[i], preview: previewValue(values[i]) })) };
}

/** The artifacts (all, or only `name`) of every task `pathspec` covers (a task, a step, a run). */
export async function dumpArtifacts(pathspec: string, datastore: Datastore, name?: string): Promise<DumpedTask[]> {
  const tasks = await tasksOf(await findPathspec(pathspec, datastore));
  const dumped: DumpedTask[] = [];
  for (const task of tasks) dumped.push(await dumpTask(task, name));
  return dumped;
}

function artifactText(artifact: DumpedArtifact, width: number): string {
  const { preview } = artifact;
  if (preview.shape) {
    const indent = " ".repeat(width + 4);
    const rows = preview.text.split("\n").map((line) => `${indent}${line}`).join("\n");
    return `  ${artifact.name.padEnd(width)}  ${preview.type} ${preview.shape[0]} rows × ${preview.shape[1]} columns\n${rows}`;
  }
  return `  ${artifact.name.padEnd(width)}  ${preview.text}`;
}

/** Dumped tasks as text: each task's pathspec, then one line per artifact (tables under theirs). */
export function formatDump(tasks: DumpedTask[]): string {
  return tasks
    .map((task) => {
      const width = Math.max(0, ...task.artifacts.map((a) => a.name.length));
      const lines = task.artifacts.length === 0 ? ["  (no public artifacts)"] : task.artifacts.map((a) => artifactText(a, width));
      return [task.pathspec, ...lines].join("\n");
    })
    .join("\n\n");
}

/** Dumped tasks as JSON-ready data: `[{ pathspec, artifacts: { name: value } }]`. */
export function dumpJson(tasks: DumpedTask[]): Array<{ pathspec: string; artifacts: Record<string, unknown> }> {
  return tasks.map((task) => ({ pathspec: task.pathspec, artifacts: Object.fromEntries(task.artifacts.map((a) => [a.name, jsonPreview(a.value)])) }));
}

/**
 * Writes one artifact's value to `out`: a table as Parquet, bytes and strings as they are, a stored
 * file or folder as a copy, anything else as JSON. Returns what was written, for one line of output.
 */
export async function writeArtifactFile(value: unknown, out: string): Promise<string> {
  if (isTableValue(value)) {
    // Loaded only here: the Parquet writer is WebAssembly nobody else on the command line needs.
    const { tableToParquet } = await import("../codecs/tables/parquet-export.js");
    const parquet = await tableToParquet(value as Parameters<typeof tableToParquet>[0]);
    await writeFile(out, parquet.bytes);
    return `Parquet, ${parquet.numRows} rows × ${parquet.numCols} columns`;
  }
  if (value instanceof Uint8Array) {
    await writeFile(out, value);
    return `${value.byteLength} bytes`;
  }
  if (typeof value === "string") {
    await writeFile(out, value);
    return `text, ${value.length} characters`;
  }
  if (value instanceof FilePath) {
    await cp(value.path, out, { recursive: true });
    return `a copy of the stored ${value.path}`;
  }
  await writeFile(out, `${JSON.stringify(jsonPreview(value), null, 2)}\n`);
  return "JSON";
}

/** The one artifact `--file` writes: `--name` is needed and the pathspec must be one task. */
export function singleArtifact(tasks: DumpedTask[], pathspec: string): DumpedArtifact {
  if (tasks.length !== 1) {
    throw new CommandInputError(`${pathspec} covers ${tasks.length} tasks; --file writes one artifact of one task: give Flow/run/step/task.`);
  }
  const artifact = tasks[0]!.artifacts[0];
  if (!artifact || tasks[0]!.artifacts.length !== 1) throw new CommandInputError("--file writes one artifact: give it with --name ART.");
  return artifact;
}
