/**
 * The quickstart's closing line: where the executed notebook is, and where the notebook's W&B runs
 * really went — the kernel runs in the notebook's folder with the quickstart's environment, so
 * `WANDB_DIR`, `WANDB_MODE` and a saved key decide it, exactly as they do for the runs.
 */
import path from "node:path";
import { resolveSettings } from "../src/wandb/settings/settings.js";

/** "Done. The executed notebook is …; W&B runs are in … (offline|online)." with paths relative to `root`. */
export async function quickstartClosingLine(root: string, executedFile: string, notebookDir: string, env: NodeJS.ProcessEnv): Promise<string> {
  const settings = await resolveSettings({}, { env, cwd: notebookDir });
  const where = path.relative(root, settings.wandb_dir) || ".";
  const shown = where.startsWith("..") ? settings.wandb_dir : where;
  return `Done. The executed notebook is ${path.relative(root, executedFile)}; W&B runs are in ${shown} (${settings.mode}).`;
}
