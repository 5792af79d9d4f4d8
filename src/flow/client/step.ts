import { ClientNotFoundError } from "./errors.js";
import { ClientObject } from "./client-object.js";
import { datastoreOf, type ClientOptions } from "./client-options.js";
import { parentsOf, readRunGraph } from "./graph.js";
import { parsePathspec } from "./pathspec.js";
import { Task } from "./task.js";
import type { Datastore } from "../datastore/datastore.js";

/** One step of a run: `new Step("Flow/run/step")`. Iterating gives its tasks, newest first. */
export class Step extends ClientObject {
  protected readonly kind = "Step";
  readonly pathspec: string;
  readonly id: string;
  readonly flowName: string;
  readonly runId: string;
  readonly datastore: Datastore;

  constructor(pathspec: string, options?: ClientOptions) {
    super();
    const [flowName, runId, stepName] = parsePathspec("Step", pathspec) as [string, string, string];
    this.pathspec = pathspec;
    this.id = stepName;
    this.flowName = flowName;
    this.runId = runId;
    this.datastore = datastoreOf(options);
  }

  /** Tasks of the step, newest first (highest task id first: ids count up in launch order). */
  async tasks(): Promise<Task[]> {
    const ids = await this.datastore.listTasks(this.flowName, this.runId, this.id).catch((error: Error) => {
      if (error.name !== "DatastoreNotFoundError") throw error;
      throw new ClientNotFoundError(`Step('${this.pathspec}')`, this.datastore.root, "run.steps() lists the steps that ran.");
    });
    return ids.reverse().map((taskId) => this.task(taskId));
  }

  /** A task of this step by id (not checked until read). */
  task(taskId: string): Task {
    return new Task(`${this.pathspec}/${taskId}`, { datastore: this.datastore });
  }

  /** The newest task: the only one of a step outside a foreach. */
  async firstTask(): Promise<Task | undefined> {
    return (await this.tasks())[0];
  }

  /** The latest `finishedAt` of its finished tasks, or undefined if none finished. */
  async finishedAt(): Promise<Date | undefined> {
    let latest: number | undefined;
    for (const task of await this.tasks()) {
      const finished = await task.finishedAt().then((d) => d.getTime(), () => undefined);
      if (finished !== undefined && (latest === undefined || finished > latest)) latest = finished;
    }
    return latest === undefined ? undefined : new Date(latest);
  }

  /** Names of the steps that transition into this one (from the stored graph). */
  async parentSteps(): Promise<Step[]> {
    const { edges } = await readRunGraph(this.datastore, this.flowName, this.runId);
    return parentsOf(edges, this.id).map((name) => this.sibling(name));
  }

  /** Names of the steps this one transitions to (from the stored graph). */
  async childSteps(): Promise<Step[]> {
    const { edges } = await readRunGraph(this.datastore, this.flowName, this.runId);
    return (edges.get(this.id) ?? []).map((name) => this.sibling(name));
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Task> {
    yield* await this.tasks();
  }

  private sibling(stepName: string): Step {
    return new Step(`${this.flowName}/${this.runId}/${stepName}`, { datastore: this.datastore });
  }
}
