/**
 * A progress bar for long work (hashing, uploading): HTML for notebooks, one text line for terminals.
 */
import { escapeHtml } from "./html-escape.js";

/** How far some work has come. */
export interface ProgressData {
  label: string;
  done: number;
  total: number;
  /** Formats `done`/`total` (default: plain numbers), e.g. bytes. */
  format?: (value: number) => string;
}

function fraction(progress: ProgressData): number {
  if (progress.total <= 0) return 0;
  return Math.min(1, Math.max(0, progress.done / progress.total));
}

function counts(progress: ProgressData): string {
  const format = progress.format ?? String;
  return `${format(progress.done)}/${format(progress.total)}`;
}

/** An HTML `<progress>` with label and counts. */
export function progressHtml(progress: ProgressData): string {
  const percent = Math.round(fraction(progress) * 100);
  return `<div class="wbflow-progress"><span>${escapeHtml(progress.label)}</span> <progress value="${percent}" max="100" style="width:20em"></progress> <span>${escapeHtml(counts(progress))} (${percent}%)</span></div>`;
}

/** A terminal line like `uploading model  [██████░░░░░░░░]  37/100 (37%)`. */
export function progressText(progress: ProgressData, width = 24): string {
  const filled = Math.round(fraction(progress) * width);
  return `${progress.label}  [${"█".repeat(filled)}${"░".repeat(width - filled)}]  ${counts(progress)} (${Math.round(fraction(progress) * 100)}%)`;
}
