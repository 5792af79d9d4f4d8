import { ClientNotFoundError } from "./errors.js";
import { ClientObject } from "./client-object.js";
import { datastoreOf, type ClientOptions } from "./client-options.js";
import { parentsOf, readRunGraph } from "./graph.js";
import { checkRunNamespace } from "./namespace.js";
import { parsePathspec } from "./pathspec.js";
import { TaskNotFinishedError, type Datastore } from "../datastore/datastore.js";
import type { ArtifactRecord, StoredTask, TaskKey } from "../datastore/records.js";

/** The exception a failed step raised, as the engine stores it. */
export interface StoredException {
  type: string;
  message: string;
  stack?: string;
}

/** Whether an artifact name is internal (hidden by `Task.data()`): it starts with `_`, or is `name`. */
export function isInternalArtifact(name: string): boolean {
  return name.startsWith("_") || name === "name";
}

/**
 * One stored artifact: `new DataArtifact("Flow/run/step/task/name")`, or from `task.artifact(name)`.
 * Its value is decoded only when `data()` is called.
 */
export class DataArtifact extends ClientObject {
  protected readonly kind = "DataArtifact";
  readonly pathspec: string;
  readonly id: string;
  private readonly task: Task;

  constructor(pathspec: string, options?: ClientOptions & { task?: Task }) {
    super();
    const parts = parsePathspec("DataArtifact", pathspec);
    this.pathspec = pathspec;
    this.id = parts[4]!;
    this.task = options?.task ?? new Task(parts.slice(0, 4).join("/"), options);
  }

  /** Where the bytes are and how they were encoded. */
  async record(): Promise<ArtifactRecord> {
    const stored = await this.task.stored();
    const record = stored.artifacts[this.id];
    if (!record) {
      throw new ClientNotFoundError(
        `DataArtifact('${this.pathspec}')`,
        this.task.datastore.root,
        `The task stored: ${Object.keys(stored.artifacts).filter((n) => !isInternalArtifact(n)).join(", ") || "no public artifacts"}.`,
      );
    }
    return record;
  }

  /** The decoded value (decoded once per task object). */
  async data<T = unknown>(): Promise<T> {
    return this.task.get<T>(this.id);
  }

  /** sha256 of the encoded bytes. */
  async sha(): Promise<string> { return (await this.record()).sha; }
  /** Encoded size in bytes. */
  async size(): Promise<number> { return (await this.record()).size; }
  /** When the task that holds it finished. */
  async finishedAt(): Promise<Date> { return this.task.finishedAt(); }
}

/**
 * One task of a run: `new Task("Flow/run/step/task")`, optionally pinned to an `attempt`. By default
 * it reads the latest started attempt, which must be finished (done) to have data.
 *
 * Reading is async: `await task.data()` gives every public artifact (each decoded once and
 * cached), `await task.get("x")` decodes one, `await task.artifact("x")` gives its record.
 */
export class Task extends ClientObject {
  protected readonly kind = "Task";
  readonly pathspec: string;
  readonly id: string;
  readonly key: TaskKey;
  /** The attempt asked for, or undefined for the latest. */
  readonly attempt: number | undefined;
  readonly datastore: Datastore;
  private storedTask: Promise<StoredTask> | undefined;
  private readonly values = new Map<string, Promise<unknown>>();

  constructor(pathspec: string, options?: ClientOptions & { attempt?: number }) {
    super();
    const [flowName, runId, stepName, taskId] = parsePathspec("Task", pathspec) as [string, string, string, string];
    this.pathspec = pathspec;
    this.id = taskId;
    this.key = { flowName, runId, stepName, taskId };
    this.attempt = options?.attempt;
    this.datastore = datastoreOf(options);
  }

  /** The stored record of the attempt this object reads. */
  stored(): Promise<StoredTask> {
    if (!this.storedTask) {
      this.storedTask = this.readStored();
      this.storedTask.catch(() => { this.storedTask = undefined; }); // retry later: it may finish
    }
    return this.storedTask;
  }

  /**
   * Every public artifact's value (names starting with `_`, and `name`, are hidden). Give the shape
   * you expect for typed access: `await task.data<{ model: LinearModel }>()`.
   */
  async data<T extends Record<string, unknown> = Record<string, unknown>>(): Promise<T> {
    const stored = await this.stored();
    const names = Object.keys(stored.artifacts).filter((name) => !isInternalArtifact(name)).sort();
    const values = await Promise.all(names.map((name) => this.get(name)));
    return Object.fromEntries(names.map((name, i) => [name, values[i]])) as T;
  }

  /** One artifact's value, internal ones included; decoded once per Task object. */
  get<T = unknown>(name: string): Promise<T> {
    let value = this.values.get(name);
    if (!value) {
      value = this.artifact(name).then((artifact) => artifact.record()).then((record) =>
        this.datastore.getValue(this.key.flowName, record),
      );
      this.values.set(name, value);
      value.catch(() => this.values.delete(name));
    }
    return value as Promise<T>;
  }

  /** One artifact's handle; throws `ClientNotFoundError` naming the stored ones if absent. */
  async artifact(name: string): Promise<DataArtifact> {
    const artifact = new DataArtifact(`${this.pathspec}/${name}`, { task: this, datastore: this.datastore });
    await artifact.record();
    return artifact;
  }

  /** Handles of the public artifacts (or all, with `{ internal: true }`), sorted by name. */
  async artifacts(options?: { internal?: boolean }): Promise<DataArtifact[]> {
    const stored = await this.stored();
    return Object.keys(stored.artifacts)
      .filter((name) => options?.internal || !isInternalArtifact(name))
      .sort()
      .map((name) => new DataArtifact(`${this.pathspec}/${name}`, { task: this, datastore: this.datastore }));
  }

  /** Whether the attempt is done and its user code completed (`_success`). False while unfinished. */
  async successful(): Promise<boolean> {
    return (await this.flag("_success")) === true;
  }

  /** Whether the attempt finished OK or was handled by a catch (`_task_ok`). False while unfinished. */
  async finished(): Promise<boolean> {
    return (await this.flag("_task_ok")) === true;
  }

  /** The exception the step raised, or undefined. */
  async exception(): Promise<StoredException | undefined> {
    const stored = await this.stored();
    if (!stored.artifacts._exception) return undefined;
    return ((await this.get("_exception")) as StoredException | null) ?? undefined;
  }

  /** Index of this task in its innermost foreach, or undefined outside a foreach. */
  async index(): Promise<number | undefined> {
    const stored = await this.stored();
    if (!stored.artifacts._foreach_stack) return undefined;
    const stack = (await this.get("_foreach_stack")) as Array<{ index: number }> | null;
    return stack?.at(-1)?.index;
  }

  /** When the attempt started. */
  async createdAt(): Promise<Date> { return new Date((await this.stored()).startedAt); }
  /** When the attempt was marked done. */
  async finishedAt(): Promise<Date> { return new Date((await this.stored()).finishedAt); }
  /** The attempt's metadata (attempt, retryCount, pathspecIndex, parentTaskIds, ...). */
  async metadata(): Promise<Record<string, unknown>> { return (await this.stored()).metadata; }

  /** The attempt this object reads: the given one, else the latest started. */
  async currentAttempt(): Promise<number> {
    if (this.attempt !== undefined) return this.attempt;
    const attempts = await this.datastore.listAttempts(this.key);
    return attempts.at(-1) ?? 0;
  }

  /** Captured standard output of the attempt (readable while it runs). */
  async stdout(): Promise<string> { return this.datastore.readLog(this.key, await this.currentAttempt(), "stdout"); }
  /** Captured standard error of the attempt (readable while it runs). */
  async stderr(): Promise<string> { return this.datastore.readLog(this.key, await this.currentAttempt(), "stderr"); }

  /**
   * Tasks whose output this task started from, in stored order. Read from the `parentTaskIds`
   * metadata: `"step/taskId"` entries (what the engine writes), or bare task ids looked up in the
   * parent steps of the stored graph.
   */
  async parentTasks(): Promise<Task[]> {
    const { flowName, runId, stepName } = this.key;
    const parents: Task[] = [];
    let candidates: string[] | undefined;
    for (const entry of await this.parentEntries()) {
      if (entry.includes("/")) {
        parents.push(this.sibling(`${flowName}/${runId}/${entry}`));
        continue;
      }
      candidates ??= parentsOf((await readRunGraph(this.datastore, flowName, runId)).edges, stepName);
      for (const parentStep of candidates) {
        const taskIds = await this.datastore.listTasks(flowName, runId, parentStep).catch((): string[] => []);
        if (taskIds.includes(entry)) parents.push(this.sibling(`${flowName}/${runId}/${parentStep}/${entry}`));
      }
    }
    return parents;
  }

  /** Tasks of the child steps (from the stored graph) that started from this task, in task id order. */
  async childTasks(): Promise<Task[]> {
    const { flowName, runId, stepName } = this.key;
    const { edges } = await readRunGraph(this.datastore, flowName, runId);
    const children: Task[] = [];
    for (const childStep of edges.get(stepName) ?? []) {
      const taskIds = await this.datastore.listTasks(flowName, runId, childStep).catch((): string[] => []);
      for (const taskId of taskIds) {
        const child = this.sibling(`${flowName}/${runId}/${childStep}/${taskId}`);
        const entries = await child.parentEntries().catch((): string[] => []);
        if (entries.includes(`${stepName}/${this.id}`) || entries.includes(this.id)) children.push(child);
      }
    }
    return children;
  }

  private async parentEntries(): Promise<string[]> {
    const ids = (await this.metadata()).parentTaskIds;
    return Array.isArray(ids) ? ids.map(String) : [];
  }

  private sibling(pathspec: string): Task {
    return new Task(pathspec, { datastore: this.datastore });
  }

  private async flag(name: string): Promise<unknown> {
    try {
      const stored = await this.stored();
      return stored.artifacts[name] ? await this.get(name) : undefined;
    } catch (error) {
      if (error instanceof TaskNotFinishedError) return undefined;
      throw error;
    }
  }

  private async readStored(): Promise<StoredTask> {
    await checkRunNamespace(this.datastore, this.key.flowName, this.key.runId);
    try {
      return await this.datastore.readTask(this.key, this.attempt);
    } catch (error) {
      if ((error as Error).name === "DatastoreNotFoundError") {
        throw new ClientNotFoundError(`Task('${this.pathspec}')`, this.datastore.root, "Check the task id: step.tasks() lists them.");
      }
      throw error;
    }
  }
}
