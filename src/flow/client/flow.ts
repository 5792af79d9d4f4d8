import { ClientNotFoundError } from "./errors.js";
import { ClientObject } from "./client-object.js";
import { datastoreOf, type ClientOptions } from "./client-options.js";
import { inNamespace } from "./namespace.js";
import { parsePathspec } from "./pathspec.js";
import { Run } from "./run.js";
import type { Datastore } from "../datastore/datastore.js";

/** A flow's stored runs: `new Flow("MyFlow")`. Iterating gives its runs, newest first. */
export class Flow extends ClientObject {
  protected readonly kind = "Flow";
  readonly pathspec: string;
  readonly id: string;
  readonly datastore: Datastore;

  constructor(pathspec: string, options?: ClientOptions) {
    super();
    [this.id] = parsePathspec("Flow", pathspec) as [string];
    this.pathspec = pathspec;
    this.datastore = datastoreOf(options);
  }

  /**
   * Runs in the current namespace, newest first; with tags, only runs carrying all of them
   * (user or system tags).
   */
  async runs(...tags: string[]): Promise<Run[]> {
    const infos = await this.datastore.listRuns(this.id).catch((error: Error) => {
      if (error.name !== "DatastoreNotFoundError") throw error;
      throw new ClientNotFoundError(`Flow('${this.id}')`, this.datastore.root, "new Metaflow().flows() lists the stored flows.");
    });
    return infos
      .filter((info) => inNamespace(info))
      .filter((info) => tags.every((tag) => info.tags.includes(tag) || info.systemTags.includes(tag)))
      .map((info) => this.run(info.runId));
  }

  /** A run by id (not checked until read). */
  run(runId: string): Run {
    return new Run(`${this.id}/${runId}`, { datastore: this.datastore });
  }

  /** The newest run, whatever its state (it may still be running, or have failed). */
  async latestRun(): Promise<Run | undefined> {
    return (await this.runs())[0];
  }

  /** The newest run whose `end` step succeeded. */
  async latestSuccessfulRun(): Promise<Run | undefined> {
    for (const run of await this.runs()) if (await run.successful()) return run;
    return undefined;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Run> {
    yield* await this.runs();
  }
}
