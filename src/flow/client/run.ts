import { ClientNotFoundError } from "./errors.js";
import { ClientObject } from "./client-object.js";
import { datastoreOf, type ClientOptions } from "./client-options.js";
import { PARAMETERS_STEP, readRunGraph } from "./graph.js";
import { getNamespace, inNamespace, NamespaceMismatchError } from "./namespace.js";
import { parsePathspec } from "./pathspec.js";
import { changedTags } from "./tags.js";
import { Step } from "./step.js";
import type { Task } from "./task.js";
import type { Datastore, RunInfo } from "../datastore/datastore.js";

/**
 * One run of a flow: `new Run("Flow/runId")`. Its data is the `end` task's; iterating gives its
 * steps, newest first. Every read is async; a run that does not exist fails with
 * `ClientNotFoundError` on the first read.
 */
export class Run extends ClientObject {
  protected readonly kind = "Run";
  readonly pathspec: string;
  readonly id: string;
  readonly flowName: string;
  readonly datastore: Datastore;
  private runInfo: Promise<RunInfo> | undefined;

  constructor(pathspec: string, options?: ClientOptions) {
    super();
    const [flowName, runId] = parsePathspec("Run", pathspec) as [string, string];
    this.pathspec = pathspec;
    this.id = runId;
    this.flowName = flowName;
    this.datastore = datastoreOf(options);
  }

  /**
   * The run's stored facts (creation time, user, tags, origin).
   * @throws NamespaceMismatchError when the run is outside the current namespace (see `namespace`).
   */
  async info(): Promise<RunInfo> {
    if (!this.runInfo) {
      this.runInfo = this.datastore.readRun(this.flowName, this.id).catch((error: Error) => {
        this.runInfo = undefined;
        if (error.name !== "DatastoreNotFoundError") throw error;
        throw new ClientNotFoundError(`Run('${this.pathspec}')`, this.datastore.root, `new Flow("${this.flowName}").runs() lists its runs.`);
      });
    }
    const info = await this.runInfo;
    const ns = getNamespace();
    if (!inNamespace(info, ns)) throw new NamespaceMismatchError(this.pathspec, ns!);
    return info;
  }

  /** When the run was created. */
  async createdAt(): Promise<Date> { return new Date((await this.info()).createdAt); }
  /** User and system tags. */
  async tags(): Promise<string[]> { const info = await this.info(); return [...info.tags, ...info.systemTags]; }
  /** Tags given by the user. */
  async userTags(): Promise<string[]> { return [...(await this.info()).tags]; }
  /** Tags the system added (e.g. `user:alice`). */
  async systemTags(): Promise<string[]> { return [...(await this.info()).systemTags]; }
  /** `Flow/run` of the run this one resumed, if any. */
  async originPathspec(): Promise<string | undefined> {
    const origin = (await this.info()).originRunId;
    return origin === undefined ? undefined : `${this.flowName}/${origin}`;
  }

  /** Adds user tags (tags it already has, user or system, are kept once). Returns the user tags. */
  async addTags(...tags: string[]): Promise<string[]> {
    return this.retag(tags, []);
  }

  /** Removes user tags; removing a system tag is an error. Returns the user tags. */
  async removeTags(...tags: string[]): Promise<string[]> {
    return this.retag([], tags);
  }

  /** Removes `remove` and adds `add` in one write. Returns the user tags. */
  async replaceTags(remove: string[], add: string[]): Promise<string[]> {
    return this.retag(add, remove);
  }

  private async retag(add: string[], remove: string[]): Promise<string[]> {
    const info = await this.info();
    const tags = changedTags(`Run('${this.pathspec}')`, info.tags, info.systemTags, add, remove);
    const updated = await this.datastore.setRunTags(this.flowName, this.id, tags);
    this.runInfo = Promise.resolve(updated);
    return [...updated.tags];
  }

  /** Steps that ran (not `_parameters`), newest first by their first task's start. */
  async steps(): Promise<Step[]> {
    await this.info();
    const names = (await this.datastore.listSteps(this.flowName, this.id)).filter((name) => name !== PARAMETERS_STEP);
    const started = await Promise.all(names.map((name) => this.firstStart(name)));
    return names
      .map((name, i) => ({ name, start: started[i]! }))
      .sort((a, b) => b.start - a.start || (a.name < b.name ? 1 : -1))
      .map(({ name }) => this.step(name));
  }

  /** A step by name (not checked until read). */
  step(stepName: string): Step {
    return new Step(`${this.pathspec}/${stepName}`, { datastore: this.datastore });
  }

  /** The end step's task, or undefined if the end step has not started. */
  async endTask(): Promise<Task | undefined> {
    await this.info();
    const { endStep } = await readRunGraph(this.datastore, this.flowName, this.id);
    return this.step(endStep).firstTask().catch((error: Error) => {
      if (error.name === "ClientNotFoundError") return undefined;
      throw error;
    });
  }

  /** Whether the `end` task completed successfully. */
  async successful(): Promise<boolean> { return (await (await this.endTask())?.successful()) ?? false; }
  /** Whether the `end` task finished (OK or handled). */
  async finished(): Promise<boolean> { return (await (await this.endTask())?.finished()) ?? false; }
  /** When the `end` task finished, or undefined. */
  async finishedAt(): Promise<Date | undefined> {
    const end = await this.endTask();
    return end && (await end.finished()) ? end.finishedAt() : undefined;
  }

  /**
   * The end task's public artifacts, or undefined when the run has not finished. Give the shape
   * you expect for typed access: `await run.data<{ accuracy: number }>()`.
   */
  async data<T extends Record<string, unknown> = Record<string, unknown>>(): Promise<T | undefined> {
    const end = await this.endTask();
    return end && (await end.finished()) ? end.data<T>() : undefined;
  }

  /** Parameter values of the run (public artifacts of its `_parameters` task). */
  async parameters(): Promise<Record<string, unknown>> {
    const task = await this.step(PARAMETERS_STEP).firstTask();
    return task ? task.data() : {};
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Step> {
    yield* await this.steps();
  }

  private async firstStart(stepName: string): Promise<number> {
    const tasks = await this.step(stepName).tasks();
    const starts = await Promise.all(tasks.map((task) => task.createdAt().then((d) => d.getTime(), () => Infinity)));
    return Math.min(Infinity, ...starts);
  }
}
