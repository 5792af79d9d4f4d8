/** A run's `_meta.json` (its RunInfo), read back with a clear error when it is damaged. */
import { DatastoreCorruptError } from "./errors.js";
import type { RunInfo } from "./records.js";

/** A run whose `_meta.json` cannot be read: truncated, edited, or not a run record. */
export class RunInfoCorruptError extends DatastoreCorruptError {
  override name = "RunInfoCorruptError";
  constructor(
    readonly flowName: string,
    readonly runId: string,
    readonly path: string,
    problem: string,
  ) {
    super(
      `Run ${flowName}/${runId} cannot be read: its ${path} ${problem}. The file was truncated (e.g. a full disk) ` +
        `or edited. Restore it from a backup, or delete the run's folder if the run is not needed; other runs are not affected.`,
    );
  }
}

/** Parses the text of a run's `_meta.json`. @throws RunInfoCorruptError */
export function parseRunInfo(text: string, flowName: string, runId: string, path: string): RunInfo {
  let parsed: Partial<RunInfo> | null;
  try {
    parsed = JSON.parse(text) as Partial<RunInfo> | null;
  } catch {
    throw new RunInfoCorruptError(flowName, runId, path, "is not valid JSON");
  }
  const valid =
    typeof parsed === "object" &&
    parsed !== null &&
    parsed.runId === runId &&
    typeof parsed.flowName === "string" &&
    typeof parsed.createdAt === "number" &&
    Array.isArray(parsed.tags) &&
    Array.isArray(parsed.systemTags);
  if (!valid) throw new RunInfoCorruptError(flowName, runId, path, "is not a run record for this run (fields are missing or wrong)");
  return parsed as RunInfo;
}
