/**
 * The one plain notice a process prints the first time a run is kept offline: where the data goes and
 * how to upload it later. Printed once per process, however many runs are opened.
 */
import type { Settings } from "../settings/settings.js";

let announced = false;

/** The notice text for `settings` (exported so the kernel can show it its own way). */
export function offlineNoticeText(settings: Pick<Settings, "wandb_dir" | "offlineBecause" | "api_key_problem">): string {
  const why =
    settings.api_key_problem !== undefined
      ? `The W&B API key cannot be used (${settings.api_key_problem}), so W&B`
      : settings.offlineBecause === "no-api-key"
        ? "No W&B API key was found, so W&B"
        : "W&B";
  return (
    `wandb: ${why} runs are kept offline: data goes to ${settings.wandb_dir}. ` +
    "Upload it later with `wbflow sync` (log in first with `%wandb login` or WANDB_API_KEY); " +
    "with W&B's own `wandb sync`, sync one run at a time, producers first, as `wbflow sync --all --print-wandb-commands` lists them."
  );
}

/** Prints the offline notice through `print` unless this process already did. Returns whether it printed. */
export function announceOfflineOnce(
  settings: Pick<Settings, "wandb_dir" | "offlineBecause" | "api_key_problem">,
  print: (line: string) => void = (line) => console.error(line),
): boolean {
  if (announced) return false;
  announced = true;
  print(offlineNoticeText(settings));
  return true;
}
