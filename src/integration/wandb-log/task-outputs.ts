/**
 * Outputs of a task: every attribute the step body assigned, classified and logged — basic values to
 * the summary, datasets / models / others as artifacts when the options ask for them. Whatever cannot
 * be logged is skipped with one line naming step, attribute and type; nothing here throws.
 */
import { codecFor, describeType } from "../../codecs/index.js";
import type { Artifact } from "../../wandb/artifacts/artifact.js";
import type { Run } from "../../wandb/run/run.js";
import { artifactNameFor } from "./artifact-name.js";
import { oversizedSummaryBytes } from "./summary-limit.js";
import { formatSize, loggedLine, skippedLine } from "./output-lines.js";
import { loggedAttribute, type LoggedAttribute } from "./task-wandb-record.js";
import { buildArtifact } from "./value-artifact.js";
import { classifyValue, type ArtifactKind } from "./value-kind.js";
import type { WandbLogOptions } from "./wandb-log-options.js";

/** What `logOutputs` needs besides the run and the values. */
export interface LogOutputsContext {
  options: WandbLogOptions;
  pathspec: string;
  label: string;
  print(line: string): void;
}

const OPTION_OF: Record<ArtifactKind, "datasets" | "models" | "others"> = { dataset: "datasets", model: "models", other: "others" };

/** What logging the outputs did. */
export interface LoggedOutputs {
  /** Logged artifact versions by attribute name. */
  logged: Record<string, LoggedAttribute>;
  /**
   * Attributes no codec can write: the flow's datastore (which uses the same codecs) will refuse
   * them too, so the task is about to fail even though its body returned.
   */
  unstorable: string[];
}

/** A version logged in the loop; its line waits for the server's number (online). */
interface LoggedEntry {
  attribute: string;
  artifact: Artifact;
  line?: string;
}

/**
 * Logs the written values. Online, each logged version's line and record wait for the number the
 * W&B server gave it (within the run's network bound), so `tbl:vN` is what W&B shows; lines keep
 * the order of the attributes.
 */
export async function logOutputs(run: Run, written: ReadonlyMap<string, unknown>, context: LogOutputsContext): Promise<LoggedOutputs> {
  const summary: Record<string, unknown> = {};
  const lines: Array<string | LoggedEntry> = [];
  const unstorable: string[] = [];
  for (const [attribute, value] of written) {
    const classified = classifyValue(value, attribute);
    if (classified.kind === "basic") {
      const oversized = oversizedSummaryBytes(classified.summary);
      if (oversized === undefined) summary[attribute] = classified.summary;
      else {
        const reason = `it takes at least ${formatSize(oversized)} as JSON, over W&B's limit of 1 MB for one summary value, so it is not in the W&B summary (the flow's datastore has it); log a smaller digest of it instead`;
        lines.push(skippedLine(context.label, attribute, describeType(value), reason));
      }
      continue;
    }
    const kind: ArtifactKind = classified.kind;
    if (kind === "other" && !codecFor(value)) unstorable.push(attribute);
    if (!context.options[OPTION_OF[kind]]) {
      // Datasets and models the user chose not to log are left out quietly (the documented table);
      // an unknown kind is reported, since it would otherwise vanish without a trace.
      if (kind === "other") {
        lines.push(skippedLine(context.label, attribute, describeType(value), "not a basic value, dataset or model; use @wandb_log({ others: true }) to log it as an artifact"));
      }
      continue;
    }
    lines.push(await logValue(run, { attribute, kind, classified, value }, context));
  }
  const logged = await numberLogged(run, lines, context.label);
  if (Object.keys(summary).length > 0) {
    try {
      run.summary.update(summary);
    } catch (error) {
      lines.push(`wandb: ${context.label} could not write its summary: ${(error as Error).message}`);
    }
  }
  for (const line of lines) context.print(typeof line === "string" ? line : line.line!);
  return { logged, unstorable };
}

/** Builds and logs one value's artifact: the entry to number, or the line saying why it was not logged. */
async function logValue(
  run: Run,
  item: { attribute: string; kind: ArtifactKind; classified: Parameters<typeof buildArtifact>[0]["classified"]; value: unknown },
  { pathspec, label }: LogOutputsContext,
): Promise<string | LoggedEntry> {
  try {
    const built = await buildArtifact({ name: artifactNameFor(item.attribute), pathspec, ...item });
    try {
      // Offline, published only when the run finishes, after the flow stored the task (see
      // wandb-log-middleware.ts). Online it goes at once: the task records the server's number.
      await run.logArtifact(built.artifact, { publishAtFinish: run.mode !== "online" });
      return { attribute: item.attribute, artifact: built.artifact };
    } finally {
      await built.cleanup();
    }
  } catch (error) {
    return skippedLine(label, item.attribute, describeType(item.value), (error as Error).message);
  }
}

/** Waits (all at once) for the server's number of each logged version; fills in lines and records. */
async function numberLogged(run: Run, lines: Array<string | LoggedEntry>, label: string): Promise<Record<string, LoggedAttribute>> {
  const entries = lines.filter((line): line is LoggedEntry => typeof line !== "string");
  const versions = await Promise.all(entries.map((entry) => entry.artifact.wait()));
  const logged: Record<string, LoggedAttribute> = {};
  entries.forEach((entry, i) => {
    const version = versions[i]!;
    logged[entry.attribute] = loggedAttribute(version);
    entry.line = loggedLine(label, version, entry.attribute, run.mode === "online" && version.numberedBy === "local");
  });
  return logged;
}
