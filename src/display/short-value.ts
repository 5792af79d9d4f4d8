/**
 * Short text for a summary value, as W&B's run panel shows it: long strings cut to 20 characters
 * plus "...", floats rounded to 5 decimal places, nested values left out.
 */

/** The maximum string length shown before cutting. */
export const MAX_SHOWN_STRING = 20;

/** The text for `value`, or undefined when the value is not shown (objects, arrays, functions). */
export function shortValue(value: unknown): string | undefined {
  if (typeof value === "string") return value.length > MAX_SHOWN_STRING ? `${value.slice(0, MAX_SHOWN_STRING)}...` : value;
  if (typeof value === "number") return Number.isInteger(value) || !Number.isFinite(value) ? String(value) : String(Number(value.toFixed(5)));
  if (typeof value === "bigint" || typeof value === "boolean") return String(value);
  if (value === null) return "None";
  return undefined;
}

/** A byte count for people: 1.5 KiB, 12 MiB. */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return "?";
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

/** A duration for people: 850 ms, 12.3 s, 4 m 05 s. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.floor((ms % 60_000) / 1000);
  return `${minutes} m ${String(seconds).padStart(2, "0")} s`;
}
