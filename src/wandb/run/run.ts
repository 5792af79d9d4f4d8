/**
 * A W&B run: config, summary, history, console output and artifacts, turned into `WandbRecord`s and
 * handed in order to the run's sinks (the offline transaction log always; the online sender too in
 * online mode). Several runs may be open at once; nothing here is global except the exit hook.
 */
import type { Clock } from "./clock.js";
import { MIN_CONSUMER_VERSION } from "../protocol/client-version.js";
import { parseExtendedJson, toExtendedJson } from "../protocol/extended-json.js";
import { FilePolicy, FileType, OutputType, type HistoryItem, type RecordBody, type WandbRecord } from "../protocol/records.js";
import type { RecordSink } from "../protocol/record-sink.js";
import { RunConfig } from "./run-config.js";
import { METADATA_FILE, appendOutput, writeConfigFile, writeSummaryFile } from "./run-files.js";
import { untrackRun } from "./run-state.js";
import { RunSummary } from "./run-summary.js";
import type { Settings } from "../settings/settings.js";
import type { Artifact, LoggedArtifactVersion } from "../artifacts/artifact.js";
import type { ArtifactVersion } from "../artifacts/artifact-version.js";
import type { RemoteArtifactResolver, RemoteArtifactVersion } from "../artifacts/remote-artifact-version.js";
import type { LocalArtifacts } from "../offline/local-artifacts.js";
import { removePreparedFinish, writePreparedFinish } from "../offline/prepared-finish.js";
import type { TransactionLogSink } from "../offline/transaction-log-sink.js";
import {
  logArtifactForRun,
  useArtifactForRun,
  type ArtifactRunContext,
  type HeldOutput,
  type LogArtifactOptions,
  type UseArtifactOptions,
} from "./run-artifacts.js";

/** Keys W&B adds to every history row (and its own namespace). */
const RESERVED_HISTORY_KEYS = new Set(["_step", "_runtime", "_timestamp", "_wandb"]);

/** Raised when a finished run is used. */
export class RunFinishedError extends Error {
  constructor(runId: string, action: string) {
    super(`W&B run ${runId} is already finished, so it cannot ${action}. Start a new run with init().`);
    this.name = "RunFinishedError";
  }
}

/** Options of `run.log`. */
export interface LogOptions {
  /** The step this row belongs to; must not go back. Default: the current step. */
  step?: number;
  /**
   * Whether the row is complete. Default: true without `step`, false with it (W&B's rule: rows of an
   * explicit step are completed by the next step or by finish).
   */
  commit?: boolean;
}

/** Options of `run.finish`. */
export interface FinishOptions {
  /**
   * What becomes of the versions logged with `publishAtFinish`: `"publish"` (default) writes their
   * records before `exit`, making this run their producer; `"discard"` leaves them out of the run
   * (they stay in the local registry without a producer, and never reach the server through this run).
   */
  heldOutputs?: "publish" | "discard";
}

/** Everything a run is made of, decided by `init`. */
export interface RunParts {
  settings: Settings;
  id: string;
  runDir: string;
  filesDir: string;
  startMs: number;
  clock: Clock;
  /** The offline log sink first, then any online sink. */
  sinks: RecordSink[];
  /** Synchronously closes the offline log (used at process exit). */
  closeOfflineSync: () => void;
  /** The offline log sink (undefined when the run stores nothing). */
  offlineLog: TransactionLogSink | undefined;
  /** The local artifact store and registry of this W&B directory. */
  artifacts: () => LocalArtifacts;
  /** Source of artifact client ids (128 chars `[a-z0-9]`). */
  newClientId: () => string;
  /** Written into the log header as the producer, e.g. "wbflow 0.1.0". */
  producer: string;
  /** The machine's name for the run record (W&B's writer sets it); empty: left out. */
  host: string;
  /** Called when a recorded line should be printed (warnings). */
  warn: (message: string) => void;
}

/** A W&B run, created by `init()`. */
export class Run {
  readonly id: string;
  readonly project: string;
  readonly entity: string | undefined;
  readonly group: string | undefined;
  readonly jobType: string | undefined;
  readonly name: string | undefined;
  readonly notes: string | undefined;
  readonly tags: readonly string[];
  readonly mode: Settings["mode"];
  /** The run directory (`…/wandb/offline-run-…-<id>`). */
  readonly dir: string;
  /** `files/` inside the run directory. */
  readonly filesDir: string;
  readonly settings: Settings;
  readonly config: RunConfig;
  readonly summary: RunSummary;

  private readonly parts: RunParts;
  private nextNum = 1;
  private step = 0;
  /** The row being built for the current step: key → value as extended JSON (encoded once, on log). */
  private pendingRow: Map<string, string> | undefined;
  /** Unsettled sink writes and artifact operations (settled ones are dropped, so long runs stay small). */
  private readonly sinkWork = new Set<Promise<unknown>>();
  private readonly artifactWork = new Set<Promise<unknown>>();
  private sinkErrors: unknown[] = [];
  private finishing: Promise<void> | undefined;
  private offlineDone = false;
  /** Versions logged with `publishAtFinish`, in logging order. */
  private readonly heldOutputs: HeldOutput[] = [];
  /** The `num` the next record had when the finish was prepared (files/ are current while it still has it). */
  private preparedAtNum: number | undefined;

  /** @internal Use `init()`. */
  constructor(parts: RunParts, initialConfig: Record<string, unknown>) {
    const s = parts.settings;
    this.parts = parts;
    this.settings = s;
    this.id = parts.id;
    this.project = s.project;
    this.entity = s.entity;
    this.group = s.run_group;
    this.jobType = s.run_job_type;
    this.name = s.run_name;
    this.notes = s.run_notes;
    this.tags = [...s.run_tags];
    this.mode = s.mode;
    this.dir = parts.runDir;
    this.filesDir = parts.filesDir;
    this.config = new RunConfig((config) => this.emit({ type: "config", config }));
    this.summary = new RunSummary((summary) => this.emit({ type: "summary", summary }));
    const configRecord = this.config.apply(initialConfig);
    this.emit({ type: "header", header: { versionInfo: this.versionInfo() } });
    const startSeconds = Math.floor(parts.startMs / 1000);
    this.emit({
      type: "run",
      run: {
        runId: this.id,
        entity: this.entity,
        project: this.project,
        config: configRecord,
        runGroup: this.group,
        jobType: this.jobType,
        displayName: this.name,
        notes: this.notes,
        tags: [...this.tags],
        ...(parts.host !== "" ? { host: parts.host } : {}),
        startTime: { seconds: startSeconds, nanos: Math.round((parts.startMs - startSeconds * 1000) * 1e6) },
      },
    });
    this.emit({ type: "files", files: { files: [{ path: METADATA_FILE, policy: FilePolicy.now, type: FileType.wandb }] } });
  }

  /** True once `finish()` has been called. */
  get finished(): boolean {
    return this.finishing !== undefined || this.offlineDone;
  }

  /** False in mode `disabled`: the run accepts every call and stores nothing. */
  private get persists(): boolean {
    return this.mode !== "disabled";
  }

  /** The run's page on the W&B server, once an online sink has created the run; undefined offline. */
  get url(): string | undefined {
    for (const sink of this.parts.sinks) {
      const url = sink.runUrl?.();
      if (url) return url;
    }
    return undefined;
  }

  /** The step the next committed row gets. */
  get currentStep(): number {
    return this.step;
  }

  /**
   * Logs a history row. Keys are merged into the pending row of the current step; a committed row gets
   * `_step`, `_runtime` and `_timestamp` and updates the summary with the last values. A `step` lower
   * than the current one is ignored with a warning, as W&B does.
   */
  log(row: Record<string, unknown>, options: LogOptions = {}): void {
    this.assertOpen("log");
    const encoded: Array<[string, string]> = []; // validate everything before changing anything
    for (const [key, value] of Object.entries(row)) {
      if (RESERVED_HISTORY_KEYS.has(key)) throw new TypeError(`history key '${key}' is set by W&B itself; rename your key`);
      encoded.push([key, toExtendedJson(value, `history.${key}`)]);
    }
    const { step } = options;
    if (step !== undefined) {
      if (!Number.isSafeInteger(step) || step < 0) throw new TypeError(`log step must be a non-negative integer, got ${step}`);
      if (step < this.step) {
        this.parts.warn(`wandb: run ${this.id}: step ${step} is lower than the current step ${this.step}; the row is ignored.`);
        return;
      }
      if (step > this.step) {
        this.commitRow();
        this.step = step;
      }
    }
    this.pendingRow ??= new Map();
    for (const [key, valueJson] of encoded) this.pendingRow.set(key, valueJson);
    if (options.commit ?? step === undefined) this.commitRow();
  }

  /**
   * Records console output (a raw chunk of terminal text, `\n`-terminated lines expected), as W&B's
   * console capture does. The caller decides what to capture.
   */
  writeConsole(text: string, stream: "stdout" | "stderr" = "stdout"): void {
    this.assertOpen("write console output");
    if (text === "") return;
    const now = this.parts.clock.now();
    const seconds = Math.floor(now / 1000);
    this.emit({
      type: "outputRaw",
      outputRaw: {
        outputType: stream === "stderr" ? OutputType.stderr : OutputType.stdout,
        timestamp: { seconds, nanos: Math.round((now - seconds * 1000) * 1e6) },
        line: text,
      },
    });
    if (this.persists) appendOutput(this.filesDir, text);
  }

  /**
   * Logs an artifact as an output of this run: stores its files, commits a version in the local
   * registry (or finds the identical one) and records it. Resolves to the version logged, numbered
   * by the local registry; online, `artifact.wait()` then gives the W&B server's number.
   */
  logArtifact(artifact: Artifact, options: LogArtifactOptions = {}): Promise<LoggedArtifactVersion> {
    return this.trackArtifactWork(
      (async () => {
        this.assertOpen("log an artifact");
        return logArtifactForRun(this.artifactContext(), artifact, options);
      })(),
    );
  }

  /**
   * Marks an artifact version as an input of this run (lineage) and returns it. Accepts
   * `"[entity/][project/]name:alias"`, `"name:vN"`, or an `Artifact` (a draft is committed first).
   * Online, a version the local registry lacks is resolved through the server (a
   * `RemoteArtifactVersion`: name, version, digest, manifest).
   */
  useArtifact(reference: Artifact, options?: UseArtifactOptions): Promise<ArtifactVersion>;
  useArtifact(reference: string, options?: UseArtifactOptions): Promise<ArtifactVersion | RemoteArtifactVersion>;
  useArtifact(reference: string | Artifact, options: UseArtifactOptions = {}): Promise<ArtifactVersion | RemoteArtifactVersion> {
    return this.trackArtifactWork(
      (async () => {
        this.assertOpen("use an artifact");
        return useArtifactForRun(this.artifactContext(), reference, options);
      })(),
    );
  }

  /**
   * Resolves once the artifacts being logged have landed and every sink has handled the records so
   * far (online: the server has them and `url` is known). The run stays open.
   */
  async flush(): Promise<void> {
    await Promise.all([...this.artifactWork]);
    await Promise.all([...this.sinkWork]);
  }

  /**
   * Prepares `finish(exitCode)` ahead, for a caller that records something elsewhere before finishing
   * (two-phase): completes the pending row, writes `files/`, and keeps beside the log the exact
   * records `finish()` would append now (the held versions, then `exit`). If the process dies before
   * `finish()`, `applyPreparedFinish(run.dir)` ends the run as finish would have. Anything logged
   * afterwards makes the prepared bytes stale, and they are then refused rather than applied.
   */
  prepareFinish(exitCode = 0): void {
    this.assertOpen("prepare its finish");
    const log = this.parts.offlineLog;
    this.commitRow();
    if (!this.persists || !log) return;
    writeConfigFile(this.filesDir, this.config.toJSON());
    writeSummaryFile(this.filesDir, this.summary.toJSON());
    let num = this.nextNum;
    const records = [...this.heldOutputs.map((held) => ({ ...held.body, num: num++ })), { ...this.exitBody(exitCode), num: num++ }] as WandbRecord[];
    const { offset, bytes } = log.frameAhead(records);
    const published = this.heldOutputs.map(({ project, name, localIndex }) => ({ project, name, localIndex }));
    writePreparedFinish(log.logPath, { offset, run: this.runRef(), published }, bytes);
    this.preparedAtNum = this.nextNum;
  }

  /**
   * Ends the run: completes the pending row, writes `files/`, publishes (or discards) the versions
   * held for the finish, records `exit` and closes every sink. Exit code 0 means finished, anything
   * else failed. Calling it again returns the same promise. Rejects (after the offline log is
   * complete) if a sink failed.
   */
  finish(exitCode = 0, options: FinishOptions = {}): Promise<void> {
    this.finishing ??= this.finishNow(exitCode, options.heldOutputs ?? "publish");
    return this.finishing;
  }

  /** @internal For the process-exit hook: completes the offline log synchronously; held versions are not published. */
  finishOfflineSync(exitCode: number): void {
    if (this.offlineDone) return;
    this.writeFinalRecords(exitCode, []);
    this.parts.closeOfflineSync();
    if (this.parts.offlineLog && this.preparedAtNum !== undefined) removePreparedFinish(this.parts.offlineLog.logPath);
  }

  /** @internal Sends a record body to every sink with the next `num`. */
  emit(body: RecordBody, control?: WandbRecord["control"]): void {
    const record = { num: this.nextNum++, ...(control ? { control } : {}), ...body } as WandbRecord;
    for (const sink of this.parts.sinks) {
      try {
        const work = sink.write(record);
        if (work) this.track(this.sinkWork, work.catch((error: unknown) => void this.sinkErrors.push(error)));
      } catch (error) {
        // The offline log is the first sink: its failure must surface at once; others are collected.
        if (sink === this.parts.sinks[0]) throw error;
        this.sinkErrors.push(error);
      }
    }
  }

  /** @internal Throws if the run is finished. */
  assertOpen(action: string): void {
    if (this.finished) throw new RunFinishedError(this.id, action);
  }

  /** @internal The run's clock. */
  get clock(): Clock {
    return this.parts.clock;
  }

  private track(pending: Set<Promise<unknown>>, settled: Promise<unknown>): void {
    pending.add(settled);
    void settled.then(() => pending.delete(settled));
  }

  private trackArtifactWork<T>(work: Promise<T>): Promise<T> {
    this.track(this.artifactWork, work.catch(() => undefined));
    return work;
  }

  private artifactContext(): ArtifactRunContext {
    const remote = this.parts.sinks.find((sink): sink is typeof sink & RemoteArtifactResolver => sink.resolveArtifact !== undefined);
    const numbering = this.parts.sinks.find((sink) => sink.serverVersionOf !== undefined);
    return {
      ...(remote ? { remote } : {}),
      ...(numbering ? { serverVersionOf: (clientId: string) => numbering.serverVersionOf!(clientId) } : {}),
      runRef: { runId: this.id, project: this.project, ...(this.entity ? { entity: this.entity } : {}) },
      artifacts: this.parts.artifacts(),
      newClientId: this.parts.newClientId,
      emit: (body) => {
        if (this.offlineDone) throw new RunFinishedError(this.id, "record an artifact");
        this.emit(body);
      },
      hold: (output) => {
        if (this.offlineDone) throw new RunFinishedError(this.id, "record an artifact");
        this.heldOutputs.push(output);
      },
    };
  }

  private async finishNow(exitCode: number, heldOutputs: "publish" | "discard"): Promise<void> {
    untrackRun(this);
    // Artifacts being logged belong to this run: let them land before the exit record.
    await Promise.all([...this.artifactWork]);
    const published = heldOutputs === "publish" ? this.heldOutputs.splice(0) : [];
    if (!this.offlineDone) this.writeFinalRecords(exitCode, published);
    if (this.parts.offlineLog && this.preparedAtNum !== undefined) removePreparedFinish(this.parts.offlineLog.logPath);
    await this.confirmProduced(published);
    await Promise.all([...this.sinkWork]);
    const closing = await Promise.allSettled(this.parts.sinks.map((sink) => sink.close()));
    for (const result of closing) if (result.status === "rejected") this.sinkErrors.push(result.reason);
    if (this.sinkErrors.length > 0) {
      throw new AggregateError(
        this.sinkErrors,
        `W&B run ${this.id} finished and its offline log is complete in ${this.dir}, but ${this.sinkErrors.length} ` +
          "record sink error(s) occurred; upload the run later with `wbflow sync`.",
      );
    }
  }

  /** The registry learns that this run produced the versions it published at finish. */
  private async confirmProduced(published: readonly HeldOutput[]): Promise<void> {
    if (published.length === 0) return;
    const runRef = this.runRef();
    const registry = this.parts.artifacts().registry;
    for (const held of published) {
      try {
        await registry.confirmProducer(held.project, held.name, held.localIndex, runRef);
      } catch (error) {
        this.sinkErrors.push(error);
      }
    }
  }

  private writeFinalRecords(exitCode: number, published: readonly HeldOutput[]): void {
    this.offlineDone = true;
    this.commitRow();
    // Nothing recorded since a prepared finish wrote files/: they are current.
    if (this.persists && this.preparedAtNum !== this.nextNum) {
      writeConfigFile(this.filesDir, this.config.toJSON());
      writeSummaryFile(this.filesDir, this.summary.toJSON());
    }
    // Held versions are written just before `exit`, with no wait between: a log has both or neither.
    for (const held of published) this.emit(held.body);
    // No `files` record for output.log: W&B's sender writes and uploads console output itself (from
    // the output records), so naming it would upload it a second time.
    const { control, ...exit } = this.exitBody(exitCode);
    this.emit(exit, control);
  }

  /** The `exit` record of this run now. */
  private exitBody(exitCode: number): RecordBody & { control: WandbRecord["control"] } {
    return { type: "exit", exit: { exitCode, runtime: this.runtimeSeconds() }, control: { alwaysSend: true } };
  }

  private runRef(): { runId: string; project: string; entity?: string } {
    return { runId: this.id, project: this.project, ...(this.entity ? { entity: this.entity } : {}) };
  }

  private runtimeSeconds(): number {
    return Math.round((this.parts.clock.now() - this.parts.startMs) / 1000);
  }

  private commitRow(): void {
    const row = this.pendingRow;
    if (row === undefined) return;
    this.pendingRow = undefined;
    const now = this.parts.clock.now();
    const items: HistoryItem[] = [];
    for (const [key, valueJson] of row) items.push({ key, valueJson });
    items.push(
      { key: "_step", valueJson: String(this.step) },
      { key: "_runtime", valueJson: toExtendedJson((now - this.parts.startMs) / 1000, "history._runtime") },
      { key: "_timestamp", valueJson: toExtendedJson(now / 1000, "history._timestamp") },
    );
    this.emit({ type: "history", history: { item: items, step: { num: this.step } } });
    const runtime = this.runtimeSeconds();
    this.summary.applyEncoded(
      [...items, { nestedKey: ["_wandb", "runtime"], valueJson: String(runtime) }],
      [...items.map((item): [string[], unknown] => [[item.key!], parseExtendedJson(item.valueJson!)]), [["_wandb", "runtime"], runtime]],
    );
    this.step += 1;
  }

  private versionInfo(): { producer: string; minConsumer: string } {
    return { producer: this.parts.producer, minConsumer: MIN_CONSUMER_VERSION };
  }
}
