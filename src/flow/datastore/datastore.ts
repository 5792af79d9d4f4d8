import { createHash } from "node:crypto";
import { existsSync, mkdirSync, rmSync } from "node:fs";
import { appendFile, mkdir, readdir, readFile, rm, stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import { Readable } from "node:stream";
import { codecById, encodeValue, type EncodedSource } from "../../codecs/index.js";
import { writeFileAtomic, writeFileAtomicSync } from "../../core/atomic-write.js";
import { BlobMismatchError, BlobStore } from "./blobs.js";
import { ELEMENT_INDEX_SUFFIX, readListElement } from "./element-index.js";
import { parseRunInfo, RunInfoCorruptError } from "./run-info-file.js";
import { collectFlowGarbage, DEFAULT_GARBAGE_GRACE_MS, removeRunFolder, type GarbageReport } from "./cleanup.js";
import { INDEX_VERSION, legacyIndexName, parseDoneFile, serializeDoneFile, type AttemptIndex } from "./task-index.js";
import {
  DatastoreCorruptError,
  DatastoreNotFoundError,
  InvalidStoreNameError,
  TaskNotFinishedError,
  UnknownCodecError,
} from "./errors.js";
import type {
  ArtifactRecord,
  DatastoreOptions,
  RunInfo,
  StoredTask,
  StoredValue,
  TaskKey,
  TaskResult,
} from "./records.js";

export type { ArtifactRecord, DatastoreOptions, RunInfo, StoredTask, StoredValue, TaskKey, TaskResult } from "./records.js";
export * from "./errors.js";
export { RunInfoCorruptError } from "./run-info-file.js";
export type { GarbageReport } from "./cleanup.js";

/**
 * Encoded values up to this many bytes live in their artifact record (`inline`, base64) instead of
 * a blob file: a flow's many small values (counters, flags, labels, the engine's bookkeeping) then
 * cost no file write or read each. Inherited records carry the bytes along, so the limit is small.
 */
export const INLINE_LIMIT_BYTES = 1024;

/** Name of the folder that holds a flow's blobs; not a run id. */
const DATA_DIR = "data";

/**
 * The local datastore: content-addressed artifact blobs deduplicated per flow, and per-attempt
 * task records. Layout under `root`:
 *
 * ```
 * <Flow>/data/<sha[:2]>/<sha>                      blob (sha256 of the encoded bytes)
 * <Flow>/latest_run                                text
 * <Flow>/<run>/_meta.json                          RunInfo
 * <Flow>/<run>/<step>/<task>/                     created when attempt 0 starts
 * <Flow>/<run>/<step>/<task>/<n>.attempt.json      written when attempt n >= 1 (a retry) starts
 * <Flow>/<run>/<step>/<task>/<n>.done              artifact index + metadata, written last
 * <Flow>/<run>/<step>/<task>/<n>.stdout.log|.stderr.log
 * ```
 *
 * Values whose encoding is at most `INLINE_LIMIT_BYTES` are kept in their record (still named by
 * their sha256) instead of a blob. Every file is written atomically (temp + rename) or appended
 * (logs). A task is visible only when its latest started attempt has a done file, so a killed
 * process never leaves a task that looks finished.
 */
export class Datastore {
  /** Absolute root folder. */
  readonly root: string;
  private readonly now: () => number;
  private readonly blobStores = new Map<string, BlobStore>();
  /** Start times of attempts this instance started (pathspec#attempt), so finishing needs no read. */
  private readonly attemptStarts = new Map<string, number>();

  constructor(options?: DatastoreOptions) {
    this.root = resolve(options?.root ?? process.env.WBFLOW_DATASTORE ?? ".wbflow");
    this.now = options?.now ?? Date.now;
  }

  /**
   * Encodes a value with its codec and stores the bytes (once per flow).
   * @throws UnserializableValueError when no codec can encode the value.
   */
  async putValue(flowName: string, value: unknown): Promise<StoredValue> {
    this.flowDir(flowName); // refuses a flow name that cannot be a folder, even for inline values
    const { codec, typeName, encoded } = await encodeValue(value);
    if ("bytes" in encoded && encoded.bytes.byteLength <= INLINE_LIMIT_BYTES) {
      const bytes = Buffer.from(encoded.bytes.buffer, encoded.bytes.byteOffset, encoded.bytes.byteLength);
      const sha = createHash("sha256").update(bytes).digest("hex");
      return { sha, size: bytes.byteLength, codec: codec.id, type: typeName, inline: bytes.toString("base64") };
    }
    const { sha, size } = await this.blobs(flowName).put(encoded);
    return { sha, size, codec: codec.id, type: typeName };
  }

  /** Reads and decodes one artifact's value. */
  async getValue(flowName: string, record: ArtifactRecord): Promise<unknown> {
    const codec = codecById(record.codec);
    const where = `"${record.name}" (${record.producedBy})`;
    if (!codec) throw new UnknownCodecError(record.codec, where);
    if (record.inline !== undefined) {
      const bytes = Buffer.from(record.inline, "base64");
      if (createHash("sha256").update(bytes).digest("hex") !== record.sha) throw damagedArtifact(record, "inline in the task's index");
      return codec.decode(inlineSource(bytes, record.sha));
    }
    const blobs = this.blobs(flowName);
    try {
      return await codec.decode(blobs.source(record.sha, record.size));
    } catch (error) {
      const { code, path } = error as NodeJS.ErrnoException;
      if (code === "ENOENT" && path === blobs.pathOf(record.sha)) {
        throw new DatastoreCorruptError(
          `The stored bytes of artifact ${where} (blob ${record.sha}) are missing from ${blobs.dataDir}: the datastore ` +
            `was partly deleted, or the blob was found damaged and moved to .damaged/. ${rerunHint(record)}`,
        );
      }
      // A codec may fail on damaged bytes before the check at the end of the stream: look again.
      if (error instanceof BlobMismatchError || !(await blobs.matches(record.sha).catch(() => true))) {
        await blobs.quarantine(record.sha);
        throw damagedArtifact(record, `in ${blobs.pathOf(record.sha)} (moved to ${blobs.dataDir}/.damaged/)`);
      }
      throw error;
    }
  }

  /**
   * Checks that every artifact's stored bytes match their sha256 (blobs are read as streams), so a
   * damaged value is found before it is handed on (e.g. by a resume that reuses a task's outputs).
   * @throws DatastoreCorruptError naming the artifact, the task that wrote it and the file.
   */
  async checkArtifacts(flowName: string, records: Iterable<ArtifactRecord>): Promise<void> {
    const blobs = this.blobs(flowName);
    for (const record of records) {
      if (record.inline !== undefined) {
        if (createHash("sha256").update(Buffer.from(record.inline, "base64")).digest("hex") !== record.sha) {
          throw damagedArtifact(record, "inline in the task's index");
        }
        continue;
      }
      const path = blobs.pathOf(record.sha);
      const matches = await blobs.matches(record.sha).catch((error: NodeJS.ErrnoException) => {
        if (error.code === "ENOENT") return false;
        throw error;
      });
      if (matches) continue;
      await blobs.quarantine(record.sha);
      throw damagedArtifact(record, `in ${path} (missing, or changed and moved to ${blobs.dataDir}/.damaged/)`);
    }
  }

  /**
   * Element `index` of a stored list (an array or other iterable the v8 codec stored as a blob),
   * read through the list's element index so a foreach split does not decode the whole list.
   * Returns undefined when the list is not stored that way (inline, another codec, not iterable):
   * decode it whole with `getValue` instead.
   */
  async getListElement(flowName: string, record: ArtifactRecord, index: number): Promise<{ value: unknown } | undefined> {
    if (record.inline !== undefined || record.codec !== "v8") return undefined;
    const path = this.blobs(flowName).pathOf(record.sha) + ELEMENT_INDEX_SUFFIX;
    return readListElement(path, record.sha, index, () => this.getValue(flowName, record));
  }

  /** Writes a new run's facts. */
  async createRun(info: RunInfo): Promise<void> {
    await writeFileAtomic(join(this.runDir(info.flowName, info.runId), "_meta.json"), JSON.stringify(info));
  }

  /**
   * Replaces a run's user tags (system tags never change). The run record is rewritten atomically;
   * two processes retagging the same run at once: the last write wins.
   */
  async setRunTags(flowName: string, runId: string, tags: string[]): Promise<RunInfo> {
    const info = { ...(await this.readRun(flowName, runId)), tags: [...tags] };
    await this.createRun(info);
    return info;
  }

  /**
   * Deletes a run and everything it recorded (its blobs stay until `collectGarbage`). If it was the
   * flow's latest run, `latest_run` moves to the newest remaining run.
   */
  async deleteRun(flowName: string, runId: string): Promise<void> {
    await this.readRun(flowName, runId).catch((error: Error) => {
      if (!(error instanceof RunInfoCorruptError)) throw error; // a damaged run can still be deleted
    });
    await removeRunFolder(this.flowDir(flowName), runId);
    if ((await this.latestRunId(flowName)) !== runId) return;
    const newest = (await this.listRuns(flowName))[0];
    if (newest) await this.setLatestRun(flowName, newest.runId);
    else await rm(join(this.flowDir(flowName), "latest_run"), { force: true });
  }

  /**
   * Deletes a flow's blobs that no stored task refers to, and temporary files left by killed
   * processes, once older than `graceMs` (default one hour). Do not run it while a run of this
   * flow is in progress.
   */
  async collectGarbage(flowName: string, options?: { graceMs?: number }): Promise<GarbageReport> {
    this.blobStores.delete(flowName); // its cache of known blobs may name removed ones
    return collectFlowGarbage(this.flowDir(flowName), DATA_DIR, this.now(), options?.graceMs ?? DEFAULT_GARBAGE_GRACE_MS);
  }

  /** Records which run `Flow.latestRun` and friends start from. */
  async setLatestRun(flowName: string, runId: string): Promise<void> {
    checkName("run id", runId);
    await writeFileAtomic(join(this.flowDir(flowName), "latest_run"), runId);
  }

  /** The run id last passed to `setLatestRun`, or undefined. */
  async latestRunId(flowName: string): Promise<string | undefined> {
    const text = await readFile(join(this.flowDir(flowName), "latest_run"), "utf8").catch(ignoreMissing);
    return text?.trim() || undefined;
  }

  /**
   * Marks an attempt as started; from now on older attempts of the task are hidden. Attempt 0
   * starts by creating the task folder (most tasks never retry, so they write no start file);
   * a retry writes `<n>.attempt.json`. Starting an attempt number again begins it afresh: its done
   * file goes first, then its logs.
   */
  async startAttempt(task: TaskKey, attempt: number): Promise<void> {
    checkAttempt(attempt);
    const directory = this.taskDir(task);
    const attemptFile = join(directory, `${attempt}.attempt.json`);
    // Small synchronous writes: see writeFileAtomicSync. A task folder just created holds no
    // earlier attempt, so there is nothing to look for.
    const created = mkdirSync(directory, { recursive: true });
    if (created === undefined && (attempt === 0 || existsSync(attemptFile))) {
      for (const name of [`${attempt}.done`, legacyIndexName(attempt), `${attempt}.stdout.log`, `${attempt}.stderr.log`]) {
        rmSync(join(directory, name), { force: true });
      }
    }
    const startedAt = this.now();
    if (attempt > 0) writeFileAtomicSync(attemptFile, JSON.stringify({ attempt, startedAt }));
    this.attemptStarts.set(`${pathspecOf(task)}#${attempt}`, startedAt);
  }

  /** Writes the attempt's artifact index and metadata as its done file, in one atomic write. */
  async finishAttempt(task: TaskKey, attempt: number, result: TaskResult): Promise<void> {
    checkAttempt(attempt);
    const started = await this.readAttemptStart(task, attempt);
    const index: AttemptIndex = {
      version: INDEX_VERSION,
      attempt,
      startedAt: started,
      finishedAt: this.now(),
      artifacts: result.artifacts,
      metadata: result.metadata,
    };
    writeFileAtomicSync(join(this.taskDir(task), `${attempt}.done`), serializeDoneFile(index));
  }

  /** Appends captured output to an attempt's log (append-only). */
  async appendLog(task: TaskKey, attempt: number, stream: "stdout" | "stderr", text: string): Promise<void> {
    checkAttempt(attempt);
    const path = join(this.taskDir(task), `${attempt}.${stream}.log`);
    try {
      await appendFile(path, text);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
      await mkdir(this.taskDir(task), { recursive: true });
      await appendFile(path, text);
    }
  }

  /** An attempt's captured log; "" when nothing was written. */
  async readLog(task: TaskKey, attempt: number, stream: "stdout" | "stderr"): Promise<string> {
    return (await readFile(join(this.taskDir(task), `${attempt}.${stream}.log`), "utf8").catch(ignoreMissing)) ?? "";
  }

  /** Attempt numbers started for a task, ascending. */
  async listAttempts(task: TaskKey): Promise<number[]> {
    const names = await readdir(this.taskDir(task)).catch(ignoreMissing);
    if (!names) throw this.notFound(`Task ${pathspecOf(task)}`, "Check the task id with listTasks().");
    const retries = names.map((name) => /^(\d+)\.attempt\.json$/.exec(name)?.[1]).filter((n): n is string => n !== undefined);
    // Attempt 0 started when the folder was made (layout 1 also wrote 0.attempt.json).
    return [...new Set([0, ...retries.map(Number)])].sort((a, b) => a - b);
  }

  /**
   * Reads a finished attempt: by default the latest started one.
   * @throws TaskNotFinishedError when that attempt has no done marker.
   */
  async readTask(task: TaskKey, attempt?: number): Promise<StoredTask> {
    const attempts = await this.listAttempts(task);
    const latest = attempts.at(-1);
    if (latest === undefined) throw new TaskNotFinishedError(pathspecOf(task), undefined, "no attempt was started");
    const chosen = attempt ?? latest;
    if (!attempts.includes(chosen)) {
      throw new TaskNotFinishedError(pathspecOf(task), chosen, `attempts started: ${attempts.join(", ")}`);
    }
    const directory = this.taskDir(task);
    const donePath = join(directory, `${chosen}.done`);
    const done = await readFile(donePath, "utf8").catch(ignoreMissing);
    if (done === undefined) {
      throw new TaskNotFinishedError(
        pathspecOf(task),
        chosen,
        "it is still running, or it failed or was killed before it was saved",
      );
    }
    const index = await parseDoneFile(
      done,
      () => readFile(join(directory, legacyIndexName(chosen)), "utf8"),
      (problem) =>
        new DatastoreCorruptError(
          `Task ${pathspecOf(task)} attempt ${chosen} cannot be read: ${problem} (${donePath}). ` +
            `The datastore was modified by hand; re-run the step.`,
        ),
    );
    return {
      key: { ...task },
      attempt: chosen,
      startedAt: index.startedAt,
      finishedAt: index.finishedAt,
      artifacts: index.artifacts,
      metadata: index.metadata,
    };
  }

  /** Flow names with at least one run folder, sorted. */
  async listFlows(): Promise<string[]> {
    const entries = (await readdir(this.root, { withFileTypes: true }).catch(ignoreMissing)) ?? [];
    return entries.filter((entry) => entry.isDirectory() && !entry.name.startsWith(".")).map((e) => e.name).sort();
  }

  /**
   * Runs of a flow, newest first (by createdAt, then run id). A run whose `_meta.json` is damaged
   * does not hide the others: it is left out and passed to `onDamaged` (default: a process warning
   * naming the file, once per file).
   */
  async listRuns(flowName: string, options?: { onDamaged?: (error: RunInfoCorruptError) => void }): Promise<RunInfo[]> {
    const entries = await readdir(this.flowDir(flowName), { withFileTypes: true }).catch(ignoreMissing);
    if (!entries) throw this.notFound(`Flow ${flowName}`, "Run the flow first, or check the flow name and datastore root.");
    const runs: RunInfo[] = [];
    for (const entry of entries) {
      if (!entry.isDirectory() || entry.name === DATA_DIR || entry.name.startsWith(".")) continue;
      const path = join(this.flowDir(flowName), entry.name, "_meta.json");
      const text = await readFile(path, "utf8").catch(ignoreMissing);
      if (text === undefined) continue;
      try {
        runs.push(parseRunInfo(text, flowName, entry.name, path));
      } catch (error) {
        if (!(error instanceof RunInfoCorruptError)) throw error;
        (options?.onDamaged ?? warnOnce)(error);
      }
    }
    return runs.sort((a, b) => b.createdAt - a.createdAt || compareIds(b.runId, a.runId));
  }

  /**
   * A run's facts.
   * @throws RunInfoCorruptError when its `_meta.json` is damaged (the message names the file).
   */
  async readRun(flowName: string, runId: string): Promise<RunInfo> {
    const path = join(this.runDir(flowName, runId), "_meta.json");
    const text = await readFile(path, "utf8").catch(ignoreMissing);
    if (text === undefined) throw this.notFound(`Run ${flowName}/${runId}`, `List the runs with listRuns("${flowName}").`);
    return parseRunInfo(text, flowName, runId, path);
  }

  /** Step names of a run that have at least one task folder, sorted (includes `_parameters`). */
  async listSteps(flowName: string, runId: string): Promise<string[]> {
    await this.readRun(flowName, runId);
    const entries = await readdir(this.runDir(flowName, runId), { withFileTypes: true });
    return entries.filter((entry) => entry.isDirectory() && !entry.name.startsWith(".")).map((e) => e.name).sort();
  }

  /** Task ids of a step, in ascending numeric order. */
  async listTasks(flowName: string, runId: string, stepName: string): Promise<string[]> {
    checkName("step name", stepName);
    const entries = await readdir(join(this.runDir(flowName, runId), stepName), { withFileTypes: true }).catch(ignoreMissing);
    if (!entries) throw this.notFound(`Step ${flowName}/${runId}/${stepName}`, `List the steps with listSteps("${flowName}", "${runId}").`);
    return entries.filter((entry) => entry.isDirectory() && !entry.name.startsWith(".")).map((e) => e.name).sort(compareIds);
  }

  private blobs(flowName: string): BlobStore {
    let store = this.blobStores.get(flowName);
    if (!store) {
      store = new BlobStore(join(this.flowDir(flowName), DATA_DIR));
      this.blobStores.set(flowName, store);
    }
    return store;
  }

  private flowDir(flowName: string): string {
    checkName("flow name", flowName);
    return join(this.root, flowName);
  }

  private runDir(flowName: string, runId: string): string {
    checkName("run id", runId);
    if (runId === DATA_DIR) throw new InvalidStoreNameError("run id", runId);
    return join(this.flowDir(flowName), runId);
  }

  private taskDir(task: TaskKey): string {
    checkName("step name", task.stepName);
    checkName("task id", task.taskId);
    return join(this.runDir(task.flowName, task.runId), task.stepName, task.taskId);
  }

  private async readAttemptStart(task: TaskKey, attempt: number): Promise<number> {
    const known = this.attemptStarts.get(`${pathspecOf(task)}#${attempt}`);
    if (known !== undefined) {
      this.attemptStarts.delete(`${pathspecOf(task)}#${attempt}`);
      return known;
    }
    const notStarted = () => new TaskNotFinishedError(pathspecOf(task), attempt, "finishAttempt was called before startAttempt");
    if (attempt === 0) {
      // Started by another Datastore object: attempt 0 began when its task folder was made.
      const folder = await stat(this.taskDir(task)).catch(ignoreMissing);
      if (!folder) throw notStarted();
      return Math.round(folder.birthtimeMs || folder.mtimeMs);
    }
    const text = await readFile(join(this.taskDir(task), `${attempt}.attempt.json`), "utf8").catch(ignoreMissing);
    if (text === undefined) throw notStarted();
    return (JSON.parse(text) as { startedAt: number }).startedAt;
  }

  private notFound(what: string, hint: string): DatastoreNotFoundError {
    return new DatastoreNotFoundError(what, this.root, hint);
  }
}

/** `Flow/run/step/task` of a task key. */
export function pathspecOf(task: TaskKey): string {
  return `${task.flowName}/${task.runId}/${task.stepName}/${task.taskId}`;
}

function checkName(kind: string, value: string): void {
  if (typeof value !== "string" || value.length === 0 || value.startsWith(".") || /[/\\\0]/.test(value)) {
    throw new InvalidStoreNameError(kind, String(value));
  }
}

function checkAttempt(attempt: number): void {
  if (!Number.isInteger(attempt) || attempt < 0) {
    throw new RangeError(`Attempt numbers are integers from 0; got ${attempt}.`);
  }
}

/** Numeric ids compare as numbers, others as strings. */
function compareIds(a: string, b: string): number {
  const numeric = /^\d+$/;
  if (numeric.test(a) && numeric.test(b)) return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The error for an artifact whose stored bytes no longer match their sha256. */
function damagedArtifact(record: ArtifactRecord, where: string): DatastoreCorruptError {
  return new DatastoreCorruptError(
    `Artifact "${record.name}" written by task ${record.producedBy} is damaged: the bytes stored ${where} do not ` +
      `match its sha256 ${record.sha}. The datastore was changed by hand or by a disk fault; its value is not returned. ` +
      rerunHint(record),
  );
}

/** What to do about a lost value: run the step that wrote it again. */
function rerunHint(record: ArtifactRecord): string {
  const step = record.producedBy.split("/")[2] ?? "?";
  return `Run step '${step}' again to store it again, e.g. resume({ step: "${step}" }).`;
}

/** A decoding source over the bytes of an inline record. */
function inlineSource(bytes: Buffer, sha: string): EncodedSource {
  return { size: bytes.byteLength, sha, bytes: async () => bytes, stream: () => Readable.from([bytes]) };
}

const warnedFiles = new Set<string>();

/** Reports a damaged run record once per file, as a process warning (it is skipped, not fatal). */
function warnOnce(error: RunInfoCorruptError): void {
  if (warnedFiles.has(error.path)) return;
  warnedFiles.add(error.path);
  process.emitWarning(error.message, { type: "RunInfoCorruptWarning" });
}

function ignoreMissing(error: NodeJS.ErrnoException): undefined {
  if (error.code === "ENOENT") return undefined;
  throw error;
}
