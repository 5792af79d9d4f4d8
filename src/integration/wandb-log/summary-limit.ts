/**
 * W&B's limit for one logged value: under 1 MB (its "value width" guidance; wider values slow every
 * chart of the run). A basic attribute wider than that is not put in the summary — the flow's
 * datastore still has it — and one line says so, instead of writing a summary file as big as the value.
 */

/** The most bytes of JSON one summary value may take. */
export const SUMMARY_VALUE_LIMIT_BYTES = 1_000_000;

/**
 * A lower bound of the value's size as JSON when it is over the limit, else undefined. A long string
 * is not encoded to find out: its JSON has at least one byte per UTF-16 unit plus the quotes.
 */
export function oversizedSummaryBytes(value: unknown): number | undefined {
  if (typeof value === "string" && value.length + 2 > SUMMARY_VALUE_LIMIT_BYTES) return value.length + 2;
  const bytes = Buffer.byteLength(JSON.stringify(value) ?? "null");
  return bytes > SUMMARY_VALUE_LIMIT_BYTES ? bytes : undefined;
}
