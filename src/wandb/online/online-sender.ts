/**
 * The online sender: a `RecordSink` that replays a run's records to a W&B server (reference
 * §5.6): the first `run` record creates the run (upsertBucket) and opens file_stream; history,
 * summary, console and stats records become file_stream lines; config changes are re-upserted;
 * artifacts are uploaded (§4.5) and uses become lineage edges; `exit` uploads `config.yaml` and
 * `wandb-summary.json` and completes the run. Live runs and `wbflow sync` use the same sender.
 *
 * A failure never throws into the run: the offline log already holds everything, so the sender
 * stops, says how to upload the run later with `wbflow sync`, and `failure` tells callers why.
 */
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { stringify as toYaml } from "yaml";
import { toExtendedJson } from "../protocol/extended-json.js";
import { applyItems, type JsonTree } from "../run/key-value-tree.js";
import type { ArtifactRecord, RunRecord, WandbRecord } from "../protocol/records.js";
import type { RecordSink } from "../protocol/record-sink.js";
import type { RemoteArtifactReference, RemoteArtifactVersion } from "../artifacts/remote-artifact-version.js";
import { lookUpArtifact } from "./artifacts/artifact-lookup.js";
import { WandbAuthError, WandbNotFoundError } from "./http/api-errors.js";
import { processArtifactIds, type ArtifactIdCache } from "./artifacts/artifact-id-cache.js";
import { uploadArtifact, type ArtifactUpload, type ArtifactUploadOptions } from "./artifacts/artifact-uploader.js";
import { useArtifactByName, useArtifactVersion } from "./artifacts/artifact-use.js";
import { ConsoleLines } from "./run/console-lines.js";
import { historyRowLine } from "./run/history-row.js";
import { EVENTS_FILE, FileStream, HISTORY_FILE, OUTPUT_STREAM_FILE, SUMMARY_STREAM_FILE, type FileStreamOptions } from "./run/file-stream.js";
import type { WandbHttpClient } from "./http/http-client.js";
import { createRunFiles, upsertBucket, type RunUpsert, type UpsertedRun } from "./run/run-operations.js";
import { parseUploadHeaders, putToUploadUrl } from "./http/signed-upload.js";
import { runUrl } from "./app-urls.js";
import { VersionNumbers, type ServerNumbering } from "./artifacts/version-numbers.js";

/** Options of an online sender. */
export interface OnlineSenderOptions {
  http: WandbHttpClient;
  /** Used when the run record names none (else the server's default entity). */
  defaultEntity?: string;
  /** Used when the run record names none. */
  defaultProject?: string;
  /** The run's `files/` folder (files named by `files` records are read from it). */
  filesDir?: string;
  /**
   * Where the local object store keeps the bytes with this digest, for an artifact file whose
   * staging copy (`localPath`) is gone — W&B's own `wandb sync` deletes them after uploading.
   */
  storedFile?: (digest: string) => string | undefined;
  /**
   * `live`: file_stream sends periodically and continues the server's history line count.
   * `sync`: everything is flushed at exit and lines are (re)written from offset 0, so a sync
   * that was interrupted and runs again overwrites instead of duplicating.
   */
  mode: "live" | "sync";
  /** Sync's first phase: keep lineage "use" records for `processDeferredUses` instead of sending them. */
  deferUses?: boolean;
  fileStream?: FileStreamOptions;
  artifactUpload?: ArtifactUploadOptions;
  artifactIds?: ArtifactIdCache;
  /** The UI's URL when it is not derived from the API URL (`WANDB_APP_URL`), for run pages. */
  appUrl?: string;
  /** Where user-facing notices go (default: stderr). */
  notify?: (line: string) => void;
  /** How to upload the run later, shown if the server fails (e.g. `wbflow sync <dir>`). */
  syncHint?: string;
  /**
   * Live runs: a config change is upserted this long after the last change (W&B: 5 s), so a burst
   * of changes costs one request. Sync sends the final config once at exit.
   */
  configDebounceMs?: number;
  /**
   * Called when the server committed (or already had) a version this run produced, with the number
   * the server gave it, so the local registry can show the same `vN` as W&B.
   */
  onVersionNumbered?: (version: { project: string; name: string; digest: string; serverNumber: number }) => Promise<void>;
  /**
   * The numbers the server gave a content, as the local registry learned them (newest first), so a
   * use of a version this process did not upload finds it on the server instead of copying it.
   */
  knownServerNumbers?: (project: string, name: string, digest: string) => Promise<number[]>;
  /** Starts a one-shot timer; returns its cancel function (injectable for tests). */
  setTimer?: (ms: number, fire: () => void) => () => void;
}

/** Real one-shot timers that do not keep the process alive. */
const realTimer = (ms: number, fire: () => void): (() => void) => {
  const handle = setTimeout(fire, ms);
  handle.unref();
  return () => clearTimeout(handle);
};

/** A queue entry asking for the debounced config upsert, in order with the records. */
const FLUSH_CONFIG = Symbol("flush config");

/** The run as the server knows it, once created. */
export interface OnlineRunInfo extends UpsertedRun {
  url: string;
}

type UseRecord = Extract<WandbRecord, { type: "artifact" } | { type: "useArtifact" }>;

/** Sends one run's records to the server. */
export class OnlineSender implements RecordSink {
  /** Records not handled yet, and the loop handling them (one at a time, in order). */
  private readonly queue: Array<WandbRecord | typeof FLUSH_CONFIG> = [];
  private cancelConfigTimer: (() => void) | undefined;
  private draining: Promise<void> | undefined;
  private run: OnlineRunInfo | undefined;
  private stream: FileStream | undefined;
  private readonly config: JsonTree = {};
  private readonly summary: JsonTree = {};
  private configDirty = false;
  private readonly consoleLines = new ConsoleLines();
  private readonly runFiles = new Set<string>();
  /** Whether the run wrote console output: `output.log` is then uploaded at the end, as W&B's core does. */
  private sawConsole = false;
  private readonly deferred: UseRecord[] = [];
  /** The server's number of each produced version, by the client id of its record (see `serverVersionOf`). */
  private readonly numbers = new VersionNumbers();
  private finished = false;
  /** Why the sender stopped, if it did; the run then stays offline-only until synced. */
  failure: unknown;

  constructor(private readonly options: OnlineSenderOptions) {}

  /** The server-side run, once the `run` record was sent. */
  get runInfo(): OnlineRunInfo | undefined {
    return this.run;
  }

  /**
   * Looks `reference` up on the server (after the records queued so far, so the run exists and its
   * entity is known). Rejects when the sender already stopped: the server cannot be asked.
   */
  async resolveArtifact(reference: RemoteArtifactReference): Promise<RemoteArtifactVersion | undefined> {
    await this.settled();
    if (this.failure !== undefined) {
      throw new Error(
        `Cannot look artifact ${reference.name}:${reference.alias} up on ${this.options.http.baseUrl}: this run's connection ` +
          `to the server stopped (${(this.failure as Error).message ?? String(this.failure)}).`,
      );
    }
    const entity = reference.entity ?? this.run?.entity ?? this.options.defaultEntity;
    if (entity === undefined) throw new Error(`Cannot look artifact ${reference.name}:${reference.alias} up: the run's entity is not known yet.`);
    return lookUpArtifact(this.options.http, entity, reference);
  }

  /**
   * The number the server gave the produced version whose `artifact` record has `clientId`, once it
   * was committed (or deduplicated); undefined if the sender stopped before (the run went offline).
   */
  serverVersionOf(clientId: string): Promise<ServerNumbering | undefined> {
    return this.numbers.of(clientId, this.failure !== undefined || this.finished);
  }

  /** Queues the record; never blocks the caller and never throws (see `failure`). */
  write(record: WandbRecord): Promise<void> {
    return this.enqueue(record);
  }

  private enqueue(record: WandbRecord | typeof FLUSH_CONFIG): Promise<void> {
    this.queue.push(record);
    // Started on a later tick, so `draining` is set before the loop can finish and clear it.
    this.draining ??= Promise.resolve().then(() => this.drain());
    return this.draining;
  }

  /** Waits until every queued record is handled. */
  private async settled(): Promise<void> {
    while (this.draining) await this.draining;
  }

  private async drain(): Promise<void> {
    // Most records are handled synchronously; only network steps return a promise to wait for.
    // The queue is read by index (no per-record closures or shifts: runs log 100k rows).
    try {
      for (let i = 0; i < this.queue.length; i++) {
        if (i >= 10_000) {
          // A long live run keeps this loop busy: drop handled records so memory stays flat.
          this.queue.splice(0, i);
          i = 0;
        }
        if (this.failure !== undefined) continue;
        try {
          const item = this.queue[i]!;
          const work = item === FLUSH_CONFIG ? this.flushConfig() : this.handle(item);
          if (work) await work;
        } catch (error) {
          this.fail(error);
        }
      }
    } finally {
      this.queue.length = 0;
      this.draining = undefined;
    }
  }

  /** Waits for every record; a run that never sent `exit` is completed with exit code 1 (as W&B does). */
  async close(): Promise<void> {
    await this.settled();
    if (this.failure === undefined && this.run && !this.finished) {
      await this.write({ type: "exit", exit: { exitCode: 1 } });
    }
    this.stream?.stop();
    this.cancelConfigTimer?.();
    this.numbers.giveUp();
  }

  /** Sends deferred uses (sync phase 2, once every producing run exists on the server). */
  async processDeferredUses(): Promise<void> {
    await this.settled();
    if (this.failure !== undefined) throw this.failure;
    for (const record of this.deferred.splice(0)) await this.sendUse(record);
  }

  private fail(error: unknown): void {
    if (this.failure !== undefined) return; // told once
    this.failure = error;
    this.stream?.stop();
    this.cancelConfigTimer?.();
    this.numbers.giveUp();
    const notify = this.options.notify ?? ((line: string) => console.error(line));
    const message = error instanceof Error ? error.message : String(error);
    const later = `upload it later with \`${this.options.syncHint ?? "wbflow sync"}\``;
    notify(
      error instanceof WandbAuthError
        ? `wandb: the W&B server refused the API key (${message}). Nothing is lost: the run is kept offline; ` +
            `fix the key with \`wbflow login --relogin\`, then ${later}.`
        : `wandb: sending the run to the W&B server failed (${message}). Nothing is lost: the run is kept offline; ${later}.`,
    );
  }

  private requireRun(record: WandbRecord): OnlineRunInfo {
    if (!this.run) {
      throw new Error(`a ${record.type} record came before the run record; the log is out of order and cannot be sent.`);
    }
    return this.run;
  }

  private handle(record: WandbRecord): void | Promise<void> {
    switch (record.type) {
      case "run":
        return this.run ? this.updateRun(record.run) : this.startRun(record.run);
      case "config":
        this.requireRun(record);
        applyItems(this.config, record.config.update, record.config.remove);
        this.configDirty = true;
        if (this.options.mode === "live") this.debounceConfig();
        return;
      case "history":
        this.requireRun(record);
        // A promise only when a full request is being sent: waiting for it bounds what is buffered.
        return this.stream!.append(HISTORY_FILE, [historyRowLine(record.history.item ?? [])]);
      case "summary":
        this.requireRun(record);
        applyItems(this.summary, record.summary.update, record.summary.remove);
        // Serialized when a request goes out: a run writes a summary record after every history row.
        this.stream!.setLineLater(SUMMARY_STREAM_FILE, 0, () => toExtendedJson(this.summary, "summary"));
        return;
      case "stats":
        this.requireRun(record);
        return this.sendStats(record.stats);
      case "outputRaw":
      case "output":
      case "outputLogger":
        this.requireRun(record);
        return this.sendConsole(record);
      case "files":
        this.requireRun(record);
        for (const file of record.files.files ?? []) if (file.path) this.runFiles.add(file.path);
        return;
      case "artifact":
      case "useArtifact":
        this.requireRun(record);
        if (isUse(record) && this.options.deferUses) {
          this.deferred.push(record);
          return;
        }
        if (isUse(record) || record.type !== "artifact") return this.sendUse(record);
        return this.sendProducedArtifact(record.artifact);
      case "preempting":
        this.requireRun(record);
        this.stream!.preempting();
        return;
      case "exit":
        return this.finish(record.exit.exitCode ?? 0);
      default:
        // header, telemetry, environment, alert, final, footer and unknown records carry nothing
        // the server needs from this client.
        return;
    }
  }

  /** A system-metrics row, to `wandb-events.jsonl`. */
  private sendStats(stats: Extract<WandbRecord, { type: "stats" }>["stats"]): void | Promise<void> {
    const row: JsonTree = {};
    applyItems(row, stats.item);
    row["_wandb"] = true;
    if (stats.timestamp) row["_timestamp"] = timestampMs(stats.timestamp) / 1000;
    return this.stream!.append(EVENTS_FILE, [toExtendedJson(row, "stats")]);
  }

  /** Console output (raw chunks, whole lines, logger lines), to `output.log` lines by line number. */
  private sendConsole(record: Extract<WandbRecord, { type: "outputRaw" | "output" | "outputLogger" }>): void {
    let lines;
    if (record.type === "outputLogger") {
      lines = this.consoleLines.writeLine(record.outputLogger.line ?? "", false, Date.now());
    } else {
      const out = record.type === "outputRaw" ? record.outputRaw : record.output;
      const isError = (out.outputType ?? 0) === 0;
      const ms = out.timestamp ? timestampMs(out.timestamp) : Date.now();
      lines = record.type === "outputRaw" ? this.consoleLines.write(out.line ?? "", isError, ms) : this.consoleLines.writeLine(out.line ?? "", isError, ms);
    }
    for (const line of lines) this.stream!.setLine(OUTPUT_STREAM_FILE, line.offset, line.text);
    this.sawConsole = true;
  }

  private async startRun(record: RunRecord): Promise<void> {
    applyItems(this.config, record.config?.update, record.config?.remove);
    applyItems(this.summary, record.summary?.update, record.summary?.remove);
    const entity = nonEmpty(record.entity) ?? this.options.defaultEntity;
    const project = nonEmpty(record.project) ?? this.options.defaultProject;
    const upserted = await upsertBucket(this.options.http, {
      ...runFields(record),
      ...(entity !== undefined ? { entity } : {}),
      ...(project !== undefined ? { project } : {}),
      config: this.config,
    });
    this.run = { ...upserted, url: runUrl(this.options.http.baseUrl, upserted.entity, upserted.project, upserted.runId, this.options.appUrl) };
    const failureHook = { onFailure: (error: unknown) => this.fail(error) };
    this.stream = new FileStream(this.options.http, { entity: upserted.entity, project: upserted.project, runId: upserted.runId }, {
      onLineDropped: this.lineDroppedNotice(upserted.runId),
      ...this.options.fileStream,
      ...(this.options.mode === "live" ? failureHook : {}),
    });
    if (this.options.mode === "live") {
      this.stream.startAt(HISTORY_FILE, upserted.historyLineCount);
      this.stream.start();
    }
  }

  /** Says once per file that lines over the server's limit are skipped, and what to do instead. */
  private lineDroppedNotice(runId: string): (file: string, bytes: number, limit: number) => void {
    const told = new Set<string>();
    const what: Record<string, string> = { [HISTORY_FILE]: "a run.log() row", [SUMMARY_STREAM_FILE]: "the summary", [EVENTS_FILE]: "a system-metrics row" };
    const size = (bytes: number) => `${bytes.toLocaleString("en-US")} bytes`;
    return (file, bytes, limit) => {
      if (told.has(file)) return;
      told.add(file);
      (this.options.notify ?? ((line: string) => console.error(line)))(
        `wandb: run ${runId}: ${what[file] ?? `a line of ${file}`} is ${size(bytes)} of JSON, over the W&B server's limit of ${size(limit)} ` +
          "for one line, so it is not uploaded (the rest of the run is, and its offline log keeps everything). " +
          "Log large values as artifacts instead.",
      );
    };
  }

  private async updateRun(record: RunRecord): Promise<void> {
    applyItems(this.config, record.config?.update, record.config?.remove);
    await upsertBucket(this.options.http, { ...this.runIdentity(), ...runFields(record), config: this.config });
    this.configDirty = false;
  }

  private runIdentity(): RunUpsert {
    const run = this.run!;
    return { runId: run.runId, entity: run.entity, project: run.project };
  }

  private artifactUpload(record: ArtifactRecord, producer: string | null): ArtifactUpload {
    const run = this.run!;
    return {
      entity: nonEmpty(record.entity) ?? run.entity,
      project: nonEmpty(record.project) ?? run.project,
      runId: producer,
      type: record.type ?? "",
      name: record.name ?? "",
      digest: record.digest ?? "",
      ...(record.description ? { description: record.description } : {}),
      ...(record.metadata ? { metadata: record.metadata } : {}),
      aliases: record.aliases ?? [],
      clientId: record.clientId ?? "",
      sequenceClientId: record.sequenceClientId ?? "",
      entries: (record.manifest?.contents ?? []).map((entry) => ({
        path: entry.path ?? "",
        digest: entry.digest ?? "",
        size: entry.size ?? 0,
        ...(entry.localPath ? { localPath: this.readablePath(entry.localPath, entry.digest ?? "") } : {}),
        ...(entry.ref ? { ref: entry.ref } : {}),
        ...(entry.mimetype ? { mimetype: entry.mimetype } : {}),
      })),
    };
  }

  /** The staging copy, or the store's file with the same bytes when the copy was deleted. */
  private readablePath(localPath: string, digest: string): string {
    if (existsSync(localPath)) return localPath;
    return this.options.storedFile?.(digest) ?? localPath;
  }

  private async sendProducedArtifact(record: ArtifactRecord): Promise<void> {
    const run = this.run!;
    const upload = this.artifactUpload(record, record.userCreated ? null : run.runId);
    const logged = await uploadArtifact(this.options.http, upload, this.options.artifactUpload);
    (this.options.artifactIds ?? processArtifactIds).remember(
      this.options.http.baseUrl,
      upload.entity,
      upload.project,
      upload.name,
      upload.digest,
      logged.id,
    );
    if (logged.versionIndex !== null && record.project) {
      await this.options.onVersionNumbered?.({ project: record.project, name: upload.name, digest: upload.digest, serverNumber: logged.versionIndex });
    }
    // After the registry learned it, so whoever waited finds the same number there.
    const numbering = logged.versionIndex === null ? undefined : { versionIndex: logged.versionIndex, deduplicated: logged.deduplicated };
    if (record.clientId) this.numbers.settle(record.clientId, numbering);
  }

  private async sendUse(record: UseRecord): Promise<void> {
    const run = this.run!;
    const consumer = { entity: run.entity, project: run.project, runId: run.runId };
    if (record.type === "artifact") {
      const upload = this.artifactUpload(record.artifact, null);
      const known = this.options.knownServerNumbers;
      const registryProject = nonEmpty(record.artifact.project) ?? run.project;
      await useArtifactVersion(
        this.options.http,
        this.options.artifactIds ?? processArtifactIds,
        consumer,
        upload,
        this.options.artifactUpload ?? {},
        known ? () => known(registryProject, upload.name, upload.digest) : undefined,
      );
      return;
    }
    const use = record.useArtifact;
    const reference = use.name || use.id;
    if (!reference) return;
    try {
      await useArtifactByName(this.options.http, consumer, reference);
    } catch (error) {
      if (!(error instanceof WandbNotFoundError)) throw error;
      // The version was found on the server when the run used it and is gone now (deleted): the
      // edge cannot be drawn, but failing would keep the whole run off the server at every sync.
      (this.options.notify ?? ((line: string) => console.error(line)))(
        `wandb: run ${run.runId} used ${reference}, which no longer exists on ${this.options.http.baseUrl}; ` +
          "that lineage edge is left out and the rest of the run is uploaded.",
      );
    }
  }

  private debounceConfig(): void {
    this.cancelConfigTimer?.();
    this.cancelConfigTimer = (this.options.setTimer ?? realTimer)(this.options.configDebounceMs ?? 5_000, () => {
      this.cancelConfigTimer = undefined;
      void this.enqueue(FLUSH_CONFIG);
    });
  }

  /** Upserts the complete config if it changed since the last upsert. */
  private async flushConfig(): Promise<void> {
    if (!this.configDirty || !this.run) return;
    this.configDirty = false;
    await upsertBucket(this.options.http, { ...this.runIdentity(), config: this.config });
  }

  private async finish(exitCode: number): Promise<void> {
    const run = this.requireRun({ type: "exit", exit: {} });
    this.cancelConfigTimer?.();
    await this.flushConfig();
    await this.stream!.flush();
    await this.uploadRunFiles(run);
    await this.stream!.finish(exitCode);
    this.finished = true;
  }

  /** A file named by a `files` record, or undefined (with a notice) if it cannot be sent. */
  private async readRunFile(filesDir: string, name: string): Promise<Buffer | undefined> {
    const notify = this.options.notify ?? ((line: string) => console.error(line));
    const problem = runFileProblem(name);
    if (problem) {
      notify(`wandb: run file "${name}" is not uploaded: ${problem}.`);
      return undefined;
    }
    try {
      return await readFile(path.join(filesDir, ...name.split("/")));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
      notify(`wandb: run file "${name}" is listed in the log but missing from ${filesDir}; the rest of the run is uploaded.`);
      return undefined;
    }
  }

  /**
   * `config.yaml`, `wandb-summary.json`, `output.log` when the run wrote console output, and the
   * files named by `files` records, via createRunFiles.
   */
  private async uploadRunFiles(run: OnlineRunInfo): Promise<void> {
    const contents = new Map<string, Buffer>();
    const wrapped: Record<string, unknown> = { wandb_version: 1 };
    for (const [key, value] of Object.entries(this.config)) wrapped[key] = { value };
    contents.set("config.yaml", Buffer.from(toYaml(wrapped)));
    contents.set("wandb-summary.json", Buffer.from(toExtendedJson(this.summary, "summary")));
    const names = this.sawConsole ? [OUTPUT_STREAM_FILE, ...this.runFiles] : this.runFiles;
    for (const name of names) {
      if (contents.has(name) || !this.options.filesDir) continue;
      const bytes = await this.readRunFile(this.options.filesDir, name);
      if (bytes) contents.set(name, bytes);
    }
    const targets = await createRunFiles(this.options.http, run, [...contents.keys()]);
    const headers = parseUploadHeaders(targets.uploadHeaders);
    for (const target of targets.files) {
      const bytes = contents.get(target.name);
      if (!bytes || !target.uploadUrl) continue;
      await putToUploadUrl(this.options.http, target.uploadUrl, headers, { bytes }, `upload of run file ${target.name}`);
      this.stream!.markUploaded(target.name);
    }
  }
}

/** Notice-worthy problems with a `files` entry; the rest of the run is still sent. */
function runFileProblem(name: string): string | undefined {
  if (name.split("/").some((part) => part === ".." || part === "") || path.isAbsolute(name)) return "it points outside the run's files/ folder";
  if (/[*?[\]]/.test(name)) return "it is a pattern (W&B's live file globs), not a file";
  return undefined;
}

function isUse(record: Extract<WandbRecord, { type: "artifact" } | { type: "useArtifact" }>): boolean {
  return record.type === "useArtifact" || record.artifact.useAfterCommit === true;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === "" ? undefined : value;
}

function runFields(record: RunRecord): RunUpsert {
  const fields: RunUpsert = {};
  if (record.runId) fields.runId = record.runId;
  if (record.runGroup) fields.group = record.runGroup;
  if (record.jobType) fields.jobType = record.jobType;
  if (record.displayName) fields.displayName = record.displayName;
  if (record.notes) fields.notes = record.notes;
  if (record.tags && record.tags.length > 0) fields.tags = record.tags;
  if (record.host) fields.host = record.host;
  return fields;
}

function timestampMs(ts: { seconds?: number; nanos?: number }): number {
  return (ts.seconds ?? 0) * 1000 + (ts.nanos ?? 0) / 1e6;
}
