/**
 * The read API: past runs and artifact versions by path, like W&B's `wandb.Api()`. It answers from
 * the local W&B directory (run logs and the artifact registry), which every run writes in every mode,
 * online ones included; another `ApiBackend` can be passed in (`ApiOptions.backend`).
 */
import { parseArtifactPath } from "./artifacts/artifact-path.js";
import type { ArtifactVersion } from "./artifacts/artifact-version.js";
import { LocalArtifacts } from "./offline/local-artifacts.js";
import { listRunDirs, readLocalRun, runIdOfDir, type LocalRunData } from "./offline/run-log-reader.js";
import { resolveSettings, type Settings, type SettingsEnvironment, type SettingsInput } from "./settings/settings.js";

/** A run as the read API returns it. */
export type ApiRun = LocalRunData;

/** Filters of `api.runs`. */
export interface RunFilters {
  group?: string;
  jobType?: string;
}

/** Where the read API gets its answers. */
export interface ApiBackend {
  artifact(path: string, type?: string): Promise<ArtifactVersion>;
  run(path: string): Promise<ApiRun>;
  runs(project: string, filters?: RunFilters): Promise<ApiRun[]>;
}

/** Raised when a run path names no run. */
export class RunNotFoundError extends Error {
  constructor(runPath: string, where: string) {
    super(`W&B run '${runPath}' was not found in ${where}. Use 'entity/project/run_id' or 'project/run_id' with an existing run id.`);
    this.name = "RunNotFoundError";
  }
}

/** Answers from a local W&B directory. */
export class OfflineApiBackend implements ApiBackend {
  private readonly local: LocalArtifacts;

  constructor(private readonly settings: Settings) {
    this.local = new LocalArtifacts(settings.wandb_dir, settings.root_dir);
  }

  async artifact(path: string, type?: string): Promise<ArtifactVersion> {
    const parsed = parseArtifactPath(path);
    const version = await this.local.open(parsed.project ?? this.settings.project, parsed.name, parsed.alias);
    if (type !== undefined && version.type !== type) {
      throw new TypeError(`Artifact '${version.qualifiedName}' has type '${version.type}', not '${type}'.`);
    }
    return version;
  }

  async run(path: string): Promise<ApiRun> {
    const parts = path.split("/");
    const id = parts.pop() ?? "";
    const project = parts.pop();
    for (const dir of (await listRunDirs(this.settings.wandb_dir)).reverse()) {
      if (runIdOfDir(dir) !== id) continue;
      const run = await readLocalRun(dir);
      if (project === undefined || run.project === project) return run;
    }
    throw new RunNotFoundError(path, this.settings.wandb_dir);
  }

  async runs(project: string, filters: RunFilters = {}): Promise<ApiRun[]> {
    const wantedProject = project.split("/").pop();
    const runs: ApiRun[] = [];
    for (const dir of await listRunDirs(this.settings.wandb_dir)) {
      const run = await readLocalRun(dir);
      if (run.project !== wantedProject) continue;
      if (filters.group !== undefined && run.group !== filters.group) continue;
      if (filters.jobType !== undefined && run.jobType !== filters.jobType) continue;
      runs.push(run);
    }
    return runs;
  }
}

/** Options of `new Api`. */
export interface ApiOptions extends SettingsEnvironment {
  settings?: SettingsInput;
  /** Use this backend instead of choosing one from the settings. */
  backend?: ApiBackend;
}

/** Read access to past runs and artifacts. */
export class Api {
  private backend: Promise<ApiBackend>;

  constructor(options: ApiOptions = {}) {
    this.backend = options.backend
      ? Promise.resolve(options.backend)
      : resolveSettings(options.settings ?? {}, options).then((settings) => new OfflineApiBackend(settings));
  }

  /** An artifact version by `"[entity/][project/]name:alias"` (alias defaults to `latest`). */
  async artifact(path: string, type?: string): Promise<ArtifactVersion> {
    return (await this.backend).artifact(path, type);
  }

  /** A run by `"entity/project/run_id"` (entity and project optional offline). */
  async run(path: string): Promise<ApiRun> {
    return (await this.backend).run(path);
  }

  /** Runs of `project` (or `entity/project`), optionally filtered by group and job type. */
  async runs(project: string, filters: RunFilters = {}): Promise<ApiRun[]> {
    return (await this.backend).runs(project, filters);
  }
}
