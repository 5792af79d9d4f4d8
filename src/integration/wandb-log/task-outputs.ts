/**
 * Outputs of a task: every attribute the step body assigned, classified and logged — basic values to
 * the summary, datasets / models / others as artifacts when the options ask for them. Whatever cannot
 * be logged is skipped with one line naming step, attribute and type; nothing here throws.
 */
import { codecFor, describeType } from "../../codecs/index.js";
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

/** Logs the written values. */
export async function logOutputs(
  run: Run,
  written: ReadonlyMap<string, unknown>,
  { options, pathspec, label, print }: LogOutputsContext,
): Promise<LoggedOutputs> {
  const summary: Record<string, unknown> = {};
  const logged: Record<string, LoggedAttribute> = {};
  const unstorable: string[] = [];
  for (const [attribute, value] of written) {
    const classified = classifyValue(value, attribute);
    if (classified.kind === "basic") {
      const oversized = oversizedSummaryBytes(classified.summary);
      if (oversized === undefined) summary[attribute] = classified.summary;
      else {
        const reason = `it takes at least ${formatSize(oversized)} as JSON, over W&B's limit of 1 MB for one summary value, so it is not in the W&B summary (the flow's datastore has it); log a smaller digest of it instead`;
        print(skippedLine(label, attribute, describeType(value), reason));
      }
      continue;
    }
    const kind: ArtifactKind = classified.kind;
    if (kind === "other" && !codecFor(value)) unstorable.push(attribute);
    if (!options[OPTION_OF[kind]]) {
      // Datasets and models the user chose not to log are left out quietly (the documented table);
      // an unknown kind is reported, since it would otherwise vanish without a trace.
      if (kind === "other") {
        print(skippedLine(label, attribute, describeType(value), "not a basic value, dataset or model; use @wandb_log({ others: true }) to log it as an artifact"));
      }
      continue;
    }
    try {
      const built = await buildArtifact({ name: artifactNameFor(attribute), attribute, pathspec, kind, classified, value });
      try {
        const version = await run.logArtifact(built.artifact);
        logged[attribute] = loggedAttribute(version);
        print(loggedLine(label, version, attribute));
      } finally {
        await built.cleanup();
      }
    } catch (error) {
      print(skippedLine(label, attribute, describeType(value), (error as Error).message));
    }
  }
  if (Object.keys(summary).length > 0) {
    try {
      run.summary.update(summary);
    } catch (error) {
      print(`wandb: ${label} could not write its summary: ${(error as Error).message}`);
    }
  }
  return { logged, unstorable };
}
