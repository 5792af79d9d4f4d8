/** What `MyFlow.run()` resolves to: the outcome of a run, its tasks, and access to its data. */
import { Run, isInternalArtifact } from "../client/client.js";
import type { ArtifactRecord, Datastore } from "../datastore/datastore.js";

/** The outcome of one task of a run. */
export interface TaskOutcome {
  stepName: string;
  taskId: string;
  /** `Flow/run/step/task`. */
  pathspec: string;
  /** `step[foreach indices][iteration indices]`: the task's place in the run, stable across resumes. */
  pathspecIndex: string;
  /** Finished OK, or its failure was handled by @catch. */
  ok: boolean;
  /** Copied from the origin run by a resume instead of executed. */
  cloned: boolean;
  /** Attempts made (1 + retries). */
  attempts: number;
  /** The last error of the task, if it failed (or @catch handled one). */
  error?: Error;
  /** What the task stored. */
  artifacts: Record<string, ArtifactRecord>;
}

/** The facts a {@link FlowRun} is made of. */
export interface FlowRunFacts {
  flowName: string;
  runId: string;
  /** Whether the end step completed without error. */
  successful: boolean;
  /** Every task of the run, in the order they finished. */
  tasks: readonly TaskOutcome[];
  datastore: Datastore;
  endStep: string;
  /** The run this one resumed, if any. */
  originRunId?: string;
  /** The failure that stopped the run, if it failed. */
  error?: Error;
}

/** A finished run: `await MyFlow.run()`. */
export class FlowRun {
  readonly flowName: string;
  readonly runId: string;
  readonly successful: boolean;
  readonly tasks: readonly TaskOutcome[];
  readonly datastore: Datastore;
  readonly endStep: string;
  readonly originRunId: string | undefined;
  readonly error: Error | undefined;

  constructor(facts: FlowRunFacts) {
    this.flowName = facts.flowName;
    this.runId = facts.runId;
    this.successful = facts.successful;
    this.tasks = facts.tasks;
    this.datastore = facts.datastore;
    this.endStep = facts.endStep;
    this.originRunId = facts.originRunId;
    this.error = facts.error;
  }

  /** `Flow/run`. */
  get pathspec(): string {
    return `${this.flowName}/${this.runId}`;
  }

  /** The outcomes of the task(s) of one step, in task id order. */
  tasksOf(stepName: string): TaskOutcome[] {
    return this.tasks.filter((t) => t.stepName === stepName).sort((a, b) => Number(a.taskId) - Number(b.taskId));
  }

  /** The user artifacts of the end task (or of the last task of `stepName`), decoded. */
  async data(stepName?: string): Promise<Record<string, unknown>> {
    const task = this.lastTask(stepName ?? this.endStep);
    const data: Record<string, unknown> = {};
    for (const [name, record] of Object.entries(task.artifacts)) {
      if (!isInternalArtifact(name)) data[name] = await this.datastore.getValue(this.flowName, record);
    }
    return data;
  }

  /** One artifact of the end task (or of the last task of `stepName`), decoded. */
  async artifact(name: string, stepName?: string): Promise<unknown> {
    const task = this.lastTask(stepName ?? this.endStep);
    const record = task.artifacts[name];
    if (!record) {
      const names = Object.keys(task.artifacts).filter((n) => !isInternalArtifact(n));
      throw new RangeError(`Task ${task.pathspec} has no artifact '${name}'. It has: ${names.join(", ") || "none"}.`);
    }
    return this.datastore.getValue(this.flowName, record);
  }

  /** The client's view of this run (tags, steps, tasks, logs). */
  client(): Run {
    return new Run(this.pathspec, { datastore: this.datastore });
  }

  private lastTask(stepName: string): TaskOutcome {
    const task = this.tasksOf(stepName).at(-1);
    if (!task) {
      throw new RangeError(
        `Run ${this.pathspec} has no task of step '${stepName}'${this.successful ? "" : " (the run failed before reaching it)"}.`,
      );
    }
    return task;
  }
}
