/**
 * Inputs of a task: every stored attribute the step body read (from `this` or a join's
 * `inputs[i].x`), resolved to the exact W&B version its producing task logged and marked used.
 */
import type { ArtifactRecord } from "../../flow/datastore/datastore.js";
import type { TaskContext } from "../../flow/task/middleware.js";
import type { Run } from "../../wandb/run/run.js";
import { usedLine } from "./output-lines.js";
import { exactReference, taskWandbRecordOf } from "./task-wandb-record.js";

/** One distinct value read: the attribute and the task that produced it. */
interface ReadInput {
  attribute: string;
  producedBy: string;
}

/** `describeType` names of the primitives the flow stores with its v8 codec. */
const PRIMITIVE_TYPES = new Set(["number", "string", "boolean", "bigint", "null", "undefined"]);

/**
 * Whether a stored value cannot have been logged as an artifact: a primitive is always a basic value,
 * which its producer put in the summary. Skipping these spares a read of the producer's metadata
 * (a datastore round trip) for every scalar a step reads.
 */
function isSummaryOnly(record: ArtifactRecord): boolean {
  return record.codec === "v8" && PRIMITIVE_TYPES.has(record.type);
}

/** Starts recording the reads of the step body; `inputs()` lists them, each value once. */
export function trackInputs(ctx: TaskContext): { inputs(): ReadInput[] } {
  const seen = new Map<string, ReadInput>();
  ctx.artifacts.onRead((read) => {
    if (isSummaryOnly(read.record)) return;
    const key = `${read.record.producedBy}\u0000${read.name}`;
    if (!seen.has(key)) seen.set(key, { attribute: read.name, producedBy: read.record.producedBy });
  });
  return { inputs: () => [...seen.values()] };
}

/** What `useInputs` needs besides the run. */
export interface UseInputsContext {
  ctx: TaskContext;
  label: string;
  print(line: string): void;
}

/**
 * Marks every read input that its producer logged as used by this run, at the exact version. Inputs
 * whose producer logged nothing (not decorated, or a basic value) have no artifact and are left out.
 * A failure with one input is printed and does not stop the others.
 */
export async function useInputs(run: Run, inputs: ReadInput[], { ctx, label, print }: UseInputsContext): Promise<void> {
  for (const input of inputs) {
    try {
      // The engine keeps finished tasks' metadata for the run, so a producer is read once.
      const logged = taskWandbRecordOf(await ctx.readTaskMetadata(input.producedBy))?.artifacts[input.attribute];
      if (!logged) continue;
      // By digest: a number given offline may name other content once a sync taught the registry W&B's.
      const version = await run.useArtifact(exactReference(logged), { digest: logged.digest });
      print(usedLine(label, version, input.attribute));
    } catch (error) {
      print(`wandb: ${label} could not record input ${input.attribute} from ${input.producedBy}: ${(error as Error).message}`);
    }
  }
}
