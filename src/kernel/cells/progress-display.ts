/**
 * A progress bar in the cell output for long work (uploading artifacts): one display, updated in
 * place, only when the shown percentage changes.
 */
import { randomUUID } from "node:crypto";
import { progressHtml, progressText, type ProgressData } from "../../display/progress-bar.js";
import { formatBytes } from "../../display/short-value.js";
import type { CellOutput } from "./cell-output.js";

/** Progress bars keyed by what they measure (e.g. an artifact name). */
export class ProgressDisplay {
  private readonly bars = new Map<string, { displayId: string; percent: number }>();

  constructor(private readonly output: CellOutput) {}

  /** Shows or updates the bar `key` with `done` of `total` bytes. */
  update(key: string, label: string, done: number, total: number): void {
    const percent = total > 0 ? Math.floor((done / total) * 100) : 100;
    const bar = this.bars.get(key);
    if (bar && bar.percent === percent) return;
    const progress: ProgressData = { label, done, total, format: formatBytes };
    const displayId = bar?.displayId ?? randomUUID();
    this.output.display({ "text/plain": progressText(progress), "text/html": progressHtml(progress) }, { displayId, update: bar !== undefined });
    this.bars.set(key, { displayId, percent });
  }
}
