/**
 * The options of `@wandb_log`, with W&B's spelling, and their validation (run when the decorator is
 * applied, so a typo fails when the flow is defined, not halfway through a run).
 */
import type { SettingsInput } from "../../wandb/settings/settings.js";
import { isPlainObject } from "../../core/plain-object.js";

/** W&B settings for the runs of a decorated step or flow. `tags` is W&B's `run_tags`. */
export interface WandbLogSettings extends Omit<SettingsInput, "run_id"> {
  tags?: string[];
}

/** Options of `@wandb_log`. */
export interface WandbLogOptions {
  [key: string]: unknown;
  /** Log tables, Arrow tables and `FilePath`s / `file:` URLs as `dataset` artifacts. Default false. */
  datasets: boolean;
  /** Log values of registered model types as `model` artifacts. Default false. */
  models: boolean;
  /** Log any other value a codec can serialize as an `other` artifact. Default false. */
  others: boolean;
  /** W&B settings for these runs (project, entity, run_group, run_job_type, mode, tags...). */
  settings: WandbLogSettings | undefined;
}

export const WANDB_LOG_DEFAULTS: WandbLogOptions = { datasets: false, models: false, others: false, settings: undefined };

const SETTING_KEYS = [
  "mode", "project", "entity", "base_url", "root_dir", "data_dir", "run_group", "run_job_type", "run_name", "run_notes",
  "run_tags", "tags", "api_key",
] as const satisfies ReadonlyArray<keyof WandbLogSettings>;

/** Describes what is wrong with the options, or returns undefined. */
export function validateWandbLogOptions(options: WandbLogOptions): string | undefined {
  for (const flag of ["datasets", "models", "others"] as const) {
    if (typeof options[flag] !== "boolean") return `option '${flag}' must be true or false, got ${JSON.stringify(options[flag])}.`;
  }
  const settings = options.settings;
  if (settings === undefined) return undefined;
  if (!isPlainObject(settings)) return "option 'settings' must be an object such as { project: \"my-project\" }.";
  for (const [key, value] of Object.entries(settings)) {
    if (key === "run_id") {
      return "setting 'run_id' cannot be used: every task gets its own W&B run, so one id cannot fit them all.";
    }
    if (!(SETTING_KEYS as readonly string[]).includes(key)) {
      return `unknown setting '${key}'. Known settings: ${SETTING_KEYS.join(", ")}.`;
    }
    const isTagList = key === "tags" || key === "run_tags";
    if (isTagList ? !Array.isArray(value) || value.some((t) => typeof t !== "string") : value !== undefined && typeof value !== "string") {
      return `setting '${key}' must be ${isTagList ? "an array of strings" : "a string"}.`;
    }
  }
  return undefined;
}
