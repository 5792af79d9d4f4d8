/** What every task of one run shares: the flow, its graph, the store and the run's identity. */
import type { ArtifactRecord, Datastore, StoredValue, TaskKey } from "../datastore/datastore.js";
import type { FlowEventListener } from "./events.js";
import type { FlowDefinition } from "../define/flow-definition.js";
import type { ForeachFrame } from "../task/foreach.js";
import type { GraphInfo } from "../graph/graph-info.js";
import type { FlowGraph } from "../graph/graph.js";

/** The run-wide facts tasks need. */
export interface RunContext {
  definition: FlowDefinition;
  graph: FlowGraph;
  graphInfo: GraphInfo;
  datastore: Datastore;
  flowName: string;
  runId: string;
  originRunId: string | undefined;
  userName: string;
  tags: string[];
  /** The `_parameters` task and its records (parameters, constants, flow name, graph). */
  parametersTask: TaskKey;
  parametersRecords: Map<string, ArtifactRecord>;
  /** Parameter values by parameter name. */
  parameterValues: Record<string, unknown>;
  /** Attribute names that are read-only in steps (parameters and constants). */
  readOnly: ReadonlySet<string>;
  maxNumSplits: number;
  /** The module file that defines the flow class, for executors that import it in other processes. */
  flowModule: string | undefined;
  onEvent: FlowEventListener | undefined;
  /** Stored engine values by their JSON (the store is content-addressed, so equal JSON means equal blob). */
  engineValueCache: Map<string, Promise<StoredValue>>;
  /**
   * Metadata of finished tasks by pathspec, as middleware reads it (`readTaskMetadata`): a done task's
   * metadata never changes, and many later tasks ask for the same producer's.
   */
  taskMetadataCache: Map<string, Promise<Record<string, unknown>>>;
}

/** Where one task sits in the run, decided by the scheduler. */
export interface TaskSpec {
  stepName: string;
  taskId: string;
  /** Tasks it starts from: one parent, or every input of a join in order. */
  parents: TaskKey[];
  /**
   * The artifact records the parents stored (same order as `parents`), as returned when they were
   * persisted; saves reading their indexes back. Values are always decoded from the stored blobs.
   */
  parentRecords?: Array<Record<string, ArtifactRecord>>;
  foreachStack: ForeachFrame[];
  /** Open splits (static and foreach) this task is inside, outermost first, with the branch taken. */
  branchStack: Array<{ split: string; branch: string; index: number }>;
  iterationStack: number[];
}

/** `step[i,j][k]`: foreach indices then loop iterations; identifies a task across a run and its resumes. */
export function pathspecIndexOf(spec: Pick<TaskSpec, "stepName" | "foreachStack" | "iterationStack">): string {
  return `${spec.stepName}[${spec.foreachStack.map((f) => f.index).join(",")}][${spec.iterationStack.join(",")}]`;
}

/** The key of a task of this run. */
export function taskKeyOf(run: RunContext, stepName: string, taskId: string): TaskKey {
  return { flowName: run.flowName, runId: run.runId, stepName, taskId };
}
