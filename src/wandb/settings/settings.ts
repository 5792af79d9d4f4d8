/**
 * W&B settings: explicit options, then `WANDB_*` environment variables, then defaults (reference
 * §1.5). Keys keep W&B's spelling (`project`, `entity`, `run_group`, `run_job_type`, `mode`,
 * `base_url`, …) so users can copy them from W&B's documentation.
 */
import { existsSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { ApiKey, InvalidApiKeyError } from "./api-key.js";
import { NetrcSyntaxError, netrcMachine, netrcPath, readNetrcPassword, writeNetrcEntry } from "./netrc.js";

/** Where a run's data goes: the server (and the local log), the local log only, or nowhere. */
export type WandbMode = "online" | "offline" | "disabled";

/** Raised for a setting with a value W&B would refuse. */
export class InvalidSettingError extends Error {
  constructor(readonly setting: string, value: string, rule: string) {
    super(`W&B setting '${setting}' = ${JSON.stringify(value)} is not valid: ${rule}.`);
    this.name = "InvalidSettingError";
  }
}

/** Settings a caller may pass; anything left out comes from the environment or the defaults. */
export interface SettingsInput {
  mode?: WandbMode | "dryrun" | "run" | "shared";
  project?: string;
  entity?: string;
  base_url?: string;
  /** The directory holding the `wandb/` folder (W&B's `dir` / `WANDB_DIR`). Default: cwd. */
  root_dir?: string;
  /** Where W&B keeps data outside runs (`WANDB_DATA_DIR`). */
  data_dir?: string;
  run_group?: string;
  run_job_type?: string;
  run_name?: string;
  run_notes?: string;
  run_tags?: string[];
  run_id?: string;
  /** An API key given in code. Prefer `wandb login` / `~/.netrc` or `WANDB_API_KEY`. */
  api_key?: string;
}

/** Fully resolved settings. */
export interface Settings {
  mode: WandbMode;
  /** Why the mode is offline when online was asked for (no key anywhere), for the one-time notice. */
  offlineBecause?: "no-api-key";
  project: string;
  entity?: string;
  base_url: string;
  root_dir: string;
  /** `<root_dir>/wandb`, or `<root_dir>/.wandb` if that exists. */
  wandb_dir: string;
  data_dir: string;
  run_group?: string;
  run_job_type?: string;
  run_name?: string;
  run_notes?: string;
  run_tags: string[];
  run_id?: string;
  /** The key, hidden from printing (see `ApiKey`). */
  api_key?: ApiKey;
  api_key_source?: "settings" | "WANDB_API_KEY" | "netrc";
  /** Why no key could be used (invalid key, malformed .netrc); the mode is then offline, as with no key. */
  api_key_problem?: string;
  netrc_path: string;
}

/** What `resolveSettings` reads from its surroundings; tests pass their own. */
export interface SettingsEnvironment {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  home?: string;
}

export const DEFAULT_BASE_URL = "https://api.wandb.ai";
export const DEFAULT_PROJECT = "uncategorized";

/** Maps W&B's mode spellings to the three modes (`dryrun` = offline, `run`/`shared` = online). */
export function normalizeMode(mode: string): WandbMode {
  switch (mode) {
    case "online":
    case "run":
    case "shared":
      return "online";
    case "offline":
    case "dryrun":
      return "offline";
    case "disabled":
      return "disabled";
    default:
      throw new InvalidSettingError("mode", mode, "use 'online', 'offline' or 'disabled'");
  }
}

/** Checks a project name as W&B does: ≤ 128 characters, none of `/ \ # ? % :`. */
export function validateProject(project: string): string {
  if (project.length === 0 || project.length > 128) {
    throw new InvalidSettingError("project", project, "a project name has 1 to 128 characters");
  }
  if (/[/\\#?%:]/.test(project)) {
    throw new InvalidSettingError("project", project, "a project name cannot contain / \\ # ? % or :");
  }
  return project;
}

/** Checks a user-chosen run id as W&B does: none of `: ; , # ? / '`, no surrounding whitespace. */
export function validateRunId(id: string): string {
  if (id.length === 0 || id.length > 128) throw new InvalidSettingError("run_id", id, "a run id has 1 to 128 characters");
  if (/[:;,#?/']/.test(id)) throw new InvalidSettingError("run_id", id, "a run id cannot contain : ; , # ? / or '");
  if (id.trim() !== id) throw new InvalidSettingError("run_id", id, "a run id cannot start or end with whitespace");
  if (id === "." || id === "..") throw new InvalidSettingError("run_id", id, "a run id cannot be '.' or '..'");
  return id;
}

/** Checks run tags: each 1–64 characters. */
export function validateTags(tags: string[]): string[] {
  for (const tag of tags) {
    if (tag.length === 0 || tag.length > 64) throw new InvalidSettingError("run_tags", tag, "each tag has 1 to 64 characters");
  }
  return tags;
}

/** The `wandb` folder inside `rootDir` (`.wandb` if that already exists, as W&B does). */
export function wandbDirIn(rootDir: string): string {
  const hidden = path.join(rootDir, ".wandb");
  return existsSync(hidden) ? hidden : path.join(rootDir, "wandb");
}

function defaultDataDir(env: NodeJS.ProcessEnv, home: string): string {
  const xdg = env["XDG_DATA_HOME"];
  return path.join(xdg ? xdg : path.join(home, ".local", "share"), "wandb");
}

/** True for an http(s) URL (the only schemes a W&B server speaks). */
function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === "http:" || url.protocol === "https:";
  } catch {
    return false;
  }
}

/** `url` without a user name or password it may carry (`https://user:pw@host` → `https://***@host`), for display. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#@]*@/i, "$1***@");
}

/** The API key and where it came from, or why a key that exists could not be used. */
type FoundApiKey = Pick<Settings, "api_key" | "api_key_source" | "api_key_problem">;

/** The API key: explicit, then `WANDB_API_KEY`, then `.netrc` for `machine`. */
async function findApiKey(
  explicit: string | undefined,
  fromEnv: (name: string) => string | undefined,
  machine: string,
  netrcFile: string,
): Promise<FoundApiKey> {
  try {
    const envKey = fromEnv("WANDB_API_KEY");
    if (explicit !== undefined) return { api_key: ApiKey.parse(explicit, "the api_key setting"), api_key_source: "settings" };
    if (envKey !== undefined) return { api_key: ApiKey.parse(envKey, "WANDB_API_KEY"), api_key_source: "WANDB_API_KEY" };
    const stored = await readNetrcPassword(machine, netrcFile);
    return stored === undefined ? {} : { api_key: ApiKey.parse(stored, netrcFile), api_key_source: "netrc" };
  } catch (error) {
    // A bad key or .netrc must not stop work: the run is kept offline and the problem reported.
    if (!(error instanceof InvalidApiKeyError || error instanceof NetrcSyntaxError)) throw error;
    return { api_key_problem: error.message };
  }
}

/**
 * Resolves settings from `input`, then the environment, then defaults, and finds the API key
 * (explicit, `WANDB_API_KEY`, then `.netrc` for the base URL's host). With mode online and no usable
 * key the mode becomes offline (`offlineBecause: "no-api-key"`; `api_key_problem` says why a key
 * that exists could not be used).
 */
export async function resolveSettings(input: SettingsInput = {}, surroundings: SettingsEnvironment = {}): Promise<Settings> {
  const env = surroundings.env ?? process.env;
  const home = surroundings.home ?? os.homedir();
  const fromEnv = (name: string): string | undefined => (env[name] === "" ? undefined : env[name]);

  const requestedMode = normalizeMode(input.mode ?? fromEnv("WANDB_MODE") ?? "online");
  const base_url = (input.base_url ?? fromEnv("WANDB_BASE_URL") ?? DEFAULT_BASE_URL).replace(/\/+$/, "");
  if (!isHttpUrl(base_url)) {
    throw new InvalidSettingError("base_url", redactUrl(base_url), "it must be an http:// or https:// URL such as https://api.wandb.ai");
  }
  const root_dir = path.resolve(surroundings.cwd ?? process.cwd(), input.root_dir ?? fromEnv("WANDB_DIR") ?? ".");
  const netrc_path = netrcPath(env, home);

  const { api_key, api_key_source, api_key_problem } = await findApiKey(input.api_key, fromEnv, netrcMachine(base_url), netrc_path);

  const mode: WandbMode = requestedMode === "online" && !api_key ? "offline" : requestedMode;
  const tagsFromEnv = fromEnv("WANDB_TAGS")?.split(",").map((t) => t.trim()).filter((t) => t !== "");
  const run_id = input.run_id ?? fromEnv("WANDB_RUN_ID");
  const entity = input.entity ?? fromEnv("WANDB_ENTITY");
  const run_group = input.run_group ?? fromEnv("WANDB_RUN_GROUP");
  const run_job_type = input.run_job_type ?? fromEnv("WANDB_JOB_TYPE");
  const run_name = input.run_name ?? fromEnv("WANDB_NAME");
  const run_notes = input.run_notes ?? fromEnv("WANDB_NOTES");

  return {
    mode,
    ...(requestedMode === "online" && mode === "offline" ? { offlineBecause: "no-api-key" as const } : {}),
    project: validateProject(input.project ?? fromEnv("WANDB_PROJECT") ?? DEFAULT_PROJECT),
    ...(entity !== undefined ? { entity } : {}),
    base_url,
    root_dir,
    wandb_dir: wandbDirIn(root_dir),
    data_dir: path.resolve(root_dir, input.data_dir ?? fromEnv("WANDB_DATA_DIR") ?? defaultDataDir(env, home)),
    ...(run_group !== undefined ? { run_group } : {}),
    ...(run_job_type !== undefined ? { run_job_type } : {}),
    ...(run_name !== undefined ? { run_name } : {}),
    ...(run_notes !== undefined ? { run_notes } : {}),
    run_tags: validateTags(input.run_tags ?? tagsFromEnv ?? []),
    ...(run_id !== undefined ? { run_id: validateRunId(run_id) } : {}),
    ...(api_key ? { api_key, api_key_source } : {}),
    ...(api_key_problem !== undefined ? { api_key_problem } : {}),
    netrc_path,
  };
}

/**
 * Validates `key` and stores it in `.netrc` for the base URL's host (the `%wandb login` path).
 * Returns the parsed key. Never prints it.
 */
export async function saveApiKey(key: string, options: { base_url?: string; netrc_path?: string } = {}): Promise<ApiKey> {
  const parsed = ApiKey.parse(key, "the login prompt");
  await writeNetrcEntry(netrcMachine(options.base_url ?? DEFAULT_BASE_URL), parsed.reveal(), options.netrc_path ?? netrcPath());
  return parsed;
}
