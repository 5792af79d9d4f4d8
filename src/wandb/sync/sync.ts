/**
 * `syncRuns`: uploads run logs written offline (or online runs whose upload did not finish) to a
 * W&B server, replaying each log through the same sender live runs use.
 *
 * Order matters for lineage: runs are sent oldest first, and every "use" edge is sent only after
 * all runs (so the producing versions exist and the edge points at them rather than at a copy).
 * Each run is marked synced (`run-<id>.wandb.synced`) only once all of it, edges included, is on
 * the server; a sync that was interrupted runs again over the same data without duplicates
 * (file_stream lines are rewritten at the same offsets, artifact versions are found by client id
 * and digest). Only one sync at a time uploads the runs of one wandb directory (`sync-lock.ts`);
 * which runs are already synced is decided once the lock is held.
 */
import path from "node:path";
import { artifactLocations } from "../offline/artifact-locations.js";
import { liveLogWriter } from "../offline/log-writer-mark.js";
import { ObjectStore } from "../offline/object-store.js";
import { readTransactionLog } from "../offline/transaction-log-reader.js";
import type { WandbRecord } from "../protocol/records.js";
import { WandbUnreachableError } from "../online/http/api-errors.js";
import { WandbHttpClient, type ServerConnection } from "../online/http/http-client.js";
import { OnlineSender } from "../online/online-sender.js";
import type { ArtifactUploadOptions } from "../online/artifacts/artifact-uploader.js";
import type { FileStreamOptions } from "../online/run/file-stream.js";
import { knownServerNumbers, learnServerNumbers } from "./server-numbers.js";
import { withSyncLocks } from "./sync-lock.js";
import { ALREADY_SYNCED } from "./sync-totals.js";
import { isSynced, markSynced } from "./sync-marker.js";
import { findSyncSources, logsInWandbDir, type SyncSource } from "./sync-sources.js";

/** What to sync and where. */
export interface SyncOptions {
  /** Run directories, `.wandb` files or `wandb/` directories. */
  paths?: string[];
  /** Sync every run in this `wandb/` directory instead of `paths`. */
  allIn?: string;
  /** Also re-send runs already marked synced. */
  includeSynced?: boolean;
  connection: ServerConnection;
  /** Entity and project for runs whose log names none. */
  defaultEntity?: string;
  defaultProject?: string;
  /** Progress and problems, one line each (default: stderr). */
  notify?: (line: string) => void;
  artifactUpload?: ArtifactUploadOptions;
  fileStream?: FileStreamOptions;
}

/** The outcome for one log. */
export interface SyncedRun {
  logPath: string;
  status: "synced" | "skipped" | "failed";
  /** The run page, when synced. */
  url?: string;
  /** Why it failed or was skipped. */
  reason?: string;
}

/** A log to send and when its run started (logs are read again when sent, one at a time). */
interface Loaded {
  source: SyncSource;
  startMs: number;
}

function startTimeMs(records: WandbRecord[]): number {
  const run = records.find((r) => r.type === "run");
  const start = run?.type === "run" ? run.run.startTime : undefined;
  return start ? (start.seconds ?? 0) * 1000 + (start.nanos ?? 0) / 1e6 : Number.MAX_SAFE_INTEGER;
}

/** Syncs the chosen runs; never throws for one run's failure (see each result's `status`). */
export async function syncRuns(options: SyncOptions): Promise<SyncedRun[]> {
  const notify = options.notify ?? ((line: string) => console.error(line));
  const found = options.allIn !== undefined ? findSyncSources(logsInWandbDir(options.allIn)) : findSyncSources(options.paths ?? []);
  if (found.length === 0) return [];
  const wandbDirs = options.allIn !== undefined ? [options.allIn] : found.map((source) => path.dirname(source.runDir));
  return withSyncLocks(wandbDirs, notify, () => {
    // Another sync may have finished some of these while this one waited for the lock.
    const sources = found.map((source) => ({ ...source, alreadySynced: isSynced(source.logPath) }));
    return syncSources(sources, options, notify);
  });
}

async function syncSources(sources: SyncSource[], options: SyncOptions, notify: (line: string) => void): Promise<SyncedRun[]> {
  const results: SyncedRun[] = [];
  const loaded = await readSources(sources, options, notify, results);
  const http = syncHttpClient(options, notify);
  const senders = await sendRuns(loaded, http, options, notify, results);
  await sendUses(senders, notify, results);
  return results;
}

const failedResult = (logPath: string, error: unknown): SyncedRun => ({
  logPath,
  status: "failed",
  reason: error instanceof Error ? error.message : String(error),
});

/** The logs to send, oldest run first; skipped and unreadable ones go to `results`. */
async function readSources(sources: SyncSource[], options: SyncOptions, notify: (line: string) => void, results: SyncedRun[]): Promise<Loaded[]> {
  const loaded: Loaded[] = [];
  for (const source of sources) {
    if (source.alreadySynced && !options.includeSynced) {
      results.push({ logPath: source.logPath, status: "skipped", reason: ALREADY_SYNCED });
      continue;
    }
    try {
      const log = await readTransactionLog(source.logPath);
      // An online run's log without `exit` may belong to a run still going in another process:
      // `--all` leaves it alone (its own sender is uploading it); naming it explicitly syncs it.
      const onlineRun = path.basename(source.runDir).startsWith("run-");
      const unfinished = !log.records.some((r) => r.type === "exit");
      if (options.allIn !== undefined && onlineRun && unfinished) {
        results.push({ logPath: source.logPath, status: "skipped", reason: "an online run that has not finished (sync it by its path if it crashed)" });
        continue;
      }
      // An offline run still going: uploaded now it would be marked failed and synced, and the rest
      // of it (its outputs are published at its finish) would never be sent.
      const writer = unfinished && options.allIn !== undefined ? liveLogWriter(source.logPath) : undefined;
      if (writer !== undefined) {
        results.push({ logPath: source.logPath, status: "skipped", reason: `a run still in progress (${writer} is writing it); sync it once it finished` });
        continue;
      }
      if (log.tornTail) notify(`wandb: ${source.logPath} ends in a partly written record (the run was cut off); syncing what is complete.`);
      if (!log.records.some((r) => r.type === "exit")) {
        notify(`wandb: ${source.runDir} was never finished (its process ended first); it is uploaded as a failed run, as W&B's own sync does.`);
      }
      loaded.push({ source, startMs: startTimeMs(log.records) });
    } catch (error) {
      results.push(failedResult(source.logPath, error));
    }
  }
  return loaded.sort((a, b) => a.startMs - b.startMs || a.source.logPath.localeCompare(b.source.logPath));
}

/** One HTTP client for the whole sync; the first retry is told once. */
function syncHttpClient(options: SyncOptions, notify: (line: string) => void): WandbHttpClient {
  let warnedSlow = false;
  return new WandbHttpClient({
    ...options.connection,
    onRetry: (event) => {
      options.connection.onRetry?.(event);
      if (warnedSlow) return;
      warnedSlow = true;
      notify(`wandb: ${options.connection.baseUrl} did not answer a request (${event.policy}: ${event.reason}); retrying.`);
    },
  });
}

/** Phase 1: every run with its history, files and produced artifacts; uses wait for phase 2. */
async function sendRuns(
  loaded: Loaded[],
  http: WandbHttpClient,
  options: SyncOptions,
  notify: (line: string) => void,
  results: SyncedRun[],
): Promise<Array<{ item: Loaded; sender: OnlineSender }>> {
  const senders: Array<{ item: Loaded; sender: OnlineSender }> = [];
  for (const [index, item] of loaded.entries()) {
    const sender = new OnlineSender({
      http,
      mode: "sync",
      deferUses: true,
      filesDir: path.join(item.source.runDir, "files"),
      storedFile: storedFileIn(path.dirname(item.source.runDir)),
      syncHint: `wbflow sync ${item.source.runDir}`,
      notify,
      onVersionNumbered: learnServerNumbers(path.dirname(item.source.runDir)),
      knownServerNumbers: knownServerNumbers(path.dirname(item.source.runDir)),
      ...(options.defaultEntity !== undefined ? { defaultEntity: options.defaultEntity } : {}),
      ...(options.defaultProject !== undefined ? { defaultProject: options.defaultProject } : {}),
      ...(options.artifactUpload ? { artifactUpload: options.artifactUpload } : {}),
      ...(options.fileStream ? { fileStream: options.fileStream } : {}),
    });
    try {
      for (const record of (await readTransactionLog(item.source.logPath)).records) void sender.write(record);
    } catch (error) {
      results.push(failedResult(item.source.logPath, error));
      continue;
    }
    await sender.close();
    if (sender.failure !== undefined || !sender.runInfo) {
      results.push(failedResult(item.source.logPath, sender.failure ?? "the log has no run record"));
      if (sender.failure instanceof WandbUnreachableError) {
        notTried(loaded.slice(index + 1).map((rest) => rest.source.logPath), sender.failure, notify, results);
        return [];
      }
      continue;
    }
    senders.push({ item, sender });
  }
  return senders;
}

/**
 * The server stopped answering (after every retry): the runs not sent yet are not tried, rather
 * than each waiting through every retry again. They stay unsynced; the next sync sends them.
 */
function notTried(logPaths: string[], failure: WandbUnreachableError, notify: (line: string) => void, results: SyncedRun[]): void {
  if (logPaths.length === 0) return;
  // The failure names what stopped answering: the API at the base URL, or a storage host.
  const reason = `not tried: the server stopped answering during this sync (${failure.message})`;
  for (const logPath of logPaths) results.push({ logPath, status: "failed", reason });
  notify(
    `wandb: the server stopped answering (${failure.message}), so the ${logPaths.length} run(s) not sent yet were not tried; ` +
      "they stay offline. Run the same sync again once the server answers.",
  );
}

/** Phase 2: lineage uses, now that every producing version exists; then each run is marked synced. */
async function sendUses(senders: Array<{ item: Loaded; sender: OnlineSender }>, notify: (line: string) => void, results: SyncedRun[]): Promise<void> {
  for (const [index, { item, sender }] of senders.entries()) {
    try {
      await sender.processDeferredUses();
      await markSynced(item.source.logPath);
      results.push({ logPath: item.source.logPath, status: "synced", url: sender.runInfo!.url });
      notify(`wandb: synced ${item.source.runDir} → ${sender.runInfo!.url}`);
    } catch (error) {
      results.push(failedResult(item.source.logPath, error));
      if (error instanceof WandbUnreachableError) {
        notTried(senders.slice(index + 1).map((rest) => rest.item.source.logPath), error, notify, results);
        return;
      }
    }
  }
}

/** The object store file with a digest, in the W&B directory that holds the run (for deleted staging copies). */
function storedFileIn(wandbDir: string): (digest: string) => string | undefined {
  const store = ObjectStore.at(artifactLocations(wandbDir).objects);
  return (digest) => (store.has(digest) ? store.objectPath(digest) : undefined);
}
