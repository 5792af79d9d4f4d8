/**
 * `init()`: resolves settings, creates the run directory and its sinks, and returns a `Run`.
 * The offline transaction-log sink is always attached; in online mode the registered online backend
 * (see `online-backend.ts`) adds its sink after it.
 */
import { hostname } from "node:os";
import type { Clock } from "./clock.js";
import { systemClock } from "./clock.js";
import { CLIENT_NAME, CLIENT_VERSION } from "../protocol/client-version.js";
import { generateRunId, randomId } from "./ids.js";
import { LocalArtifacts } from "../offline/local-artifacts.js";
import { announceOfflineOnce } from "../offline/offline-notice.js";
import { createRunDirectory } from "../offline/run-directory.js";
import { TransactionLogSink } from "../offline/transaction-log-sink.js";
import { backendFor, type RunBackend } from "./run-backend.js";
import type { RecordSink } from "../protocol/record-sink.js";
import { writeMetadataFile } from "./run-files.js";
import { noteStartedRun, trackOpenRun } from "./run-state.js";
import { Run } from "./run.js";
import { resolveSettings, validateRunId, type Settings, type SettingsEnvironment, type SettingsInput, type WandbMode } from "../settings/settings.js";

/** Options of `init`, named as in W&B's `wandb.init`. */
export interface InitOptions {
  project?: string;
  entity?: string;
  group?: string;
  job_type?: string;
  /** Display name. */
  name?: string;
  notes?: string;
  tags?: string[];
  config?: Record<string, unknown>;
  /** Directory holding the `wandb/` folder (default: `WANDB_DIR` or the working directory). */
  dir?: string;
  mode?: WandbMode | "dryrun" | "run";
  /** A run id of your own (validated); default 8 random `[a-z0-9]` characters. */
  id?: string;
  /** Any other W&B setting. Explicit options above win over these. */
  settings?: SettingsInput;
}

/** Injectable surroundings, for tests and embedding. */
export interface InitDependencies extends SettingsEnvironment {
  clock?: Clock;
  newRunId?: () => string;
  /** Where notices and warnings go (default: stderr). */
  print?: (line: string) => void;
  /** Source of artifact client ids (default: 128 random `[a-z0-9]`). */
  newClientId?: () => string;
  /** Producer string of the log header (default: this package's name and version). */
  producer?: string;
  /** The machine's name in the run record (default: `os.hostname()`; `""` leaves it out). */
  host?: string;
  /** Where records go besides the local log (default: the backend `settings.mode` chooses; see run-backend.ts). */
  backend?: RunBackend;
}

/** Starts a W&B run. */
export async function init(options: InitOptions = {}, deps: InitDependencies = {}): Promise<Run> {
  const input: SettingsInput = { ...options.settings };
  if (options.project !== undefined) input.project = options.project;
  if (options.entity !== undefined) input.entity = options.entity;
  if (options.group !== undefined) input.run_group = options.group;
  if (options.job_type !== undefined) input.run_job_type = options.job_type;
  if (options.name !== undefined) input.run_name = options.name;
  if (options.notes !== undefined) input.run_notes = options.notes;
  if (options.tags !== undefined) input.run_tags = options.tags;
  if (options.dir !== undefined) input.root_dir = options.dir;
  if (options.mode !== undefined) input.mode = options.mode;
  if (options.id !== undefined) input.run_id = options.id;
  const settings = await resolveSettings(input, deps);
  const print = deps.print ?? ((line: string) => console.error(line));
  if (settings.mode === "disabled") return disabledRun(settings, deps, options.config ?? {});
  if (settings.mode === "offline") announceOfflineOnce(settings, print);

  const clock = deps.clock ?? systemClock;
  const id = settings.run_id ?? validateRunId((deps.newRunId ?? generateRunId)());
  const startMs = clock.now();
  const dirs = createRunDirectory(settings.wandb_dir, id, startMs, settings.mode === "offline");
  writeMetadataFile(dirs.filesDir, startMs);
  const offlineSink = new TransactionLogSink(dirs.logPath);
  const sinks: RecordSink[] = [offlineSink];
  try {
    const backend = deps.backend ?? (await backendFor(settings));
    const sink = await backend.openSink(settings, { runId: id, runDir: dirs.runDir, filesDir: dirs.filesDir });
    if (sink) sinks.push(sink);
  } catch (error) {
    offlineSink.closeSync();
    throw error;
  }
  let artifacts: LocalArtifacts | undefined; // created on first use: runs without artifacts touch nothing
  const run = new Run(
    {
      settings,
      id,
      runDir: dirs.runDir,
      filesDir: dirs.filesDir,
      startMs,
      clock,
      sinks,
      closeOfflineSync: () => offlineSink.closeSync(),
      offlineLog: offlineSink,
      artifacts: () => (artifacts ??= new LocalArtifacts(settings.wandb_dir, settings.root_dir, () => clock.now(), print)),
      newClientId: deps.newClientId ?? (() => randomId(128)),
      producer: deps.producer ?? `${CLIENT_NAME} ${CLIENT_VERSION}`,
      host: deps.host ?? hostname(),
      warn: print,
    },
    options.config ?? {},
  );
  trackOpenRun(run);
  noteStartedRun(run);
  return run;
}

/** Raised when a run in mode `disabled` is asked to store an artifact. */
export class WandbDisabledError extends Error {
  constructor(action: string) {
    super(`W&B mode is 'disabled', so nothing is stored and a run cannot ${action}. Use mode 'offline' to keep data locally.`);
    this.name = "WandbDisabledError";
  }
}

/** A run that accepts every call and writes nothing: no directory, no sinks. */
function disabledRun(settings: Settings, deps: InitDependencies, config: Record<string, unknown>): Run {
  const clock = deps.clock ?? systemClock;
  return new Run(
    {
      settings,
      id: settings.run_id ?? validateRunId((deps.newRunId ?? generateRunId)()),
      runDir: "",
      filesDir: "",
      startMs: clock.now(),
      clock,
      sinks: [],
      closeOfflineSync: () => undefined,
      offlineLog: undefined,
      artifacts: () => {
        throw new WandbDisabledError("log or use artifacts");
      },
      newClientId: () => randomId(128),
      producer: deps.producer ?? `${CLIENT_NAME} ${CLIENT_VERSION}`,
      host: deps.host ?? hostname(),
      warn: deps.print ?? ((line: string) => console.error(line)),
    },
    config,
  );
}
