/**
 * Reading past runs, after Metaflow's client: `Metaflow` → `Flow` → `Run` → `Step` → `Task` →
 * `DataArtifact`, each constructed from a pathspec (`new Run("MyFlow/1764301234567890")`) or
 * reached from its parent. Reads are async and lazy: an artifact is decoded only when asked for.
 *
 * ```ts
 * const run = await new Flow("MyFlow").latestSuccessfulRun();
 * const { accuracy } = (await run!.data())!;
 * const table = await run!.step("train").firstTask().then((t) => t!.get("raw_df"));
 * ```
 */
import { datastoreOf, type ClientOptions } from "./client-options.js";
import { Flow } from "./flow.js";
import { inNamespace } from "./namespace.js";
import type { Datastore, RunInfo } from "../datastore/datastore.js";

export { ClientNotFoundError, InvalidPathspecError } from "./errors.js";
export { getNamespace, namespace, NamespaceMismatchError } from "./namespace.js";
export { InvalidTagError } from "./tags.js";
export type { ClientOptions } from "./client-options.js";
export { Flow } from "./flow.js";
export { Run } from "./run.js";
export { Step } from "./step.js";
export { DataArtifact, Task, isInternalArtifact, type StoredException } from "./task.js";

/** The datastore's flows. */
export class Metaflow {
  readonly datastore: Datastore;

  constructor(options?: ClientOptions) {
    this.datastore = datastoreOf(options);
  }

  /** Flows with at least one run in the current namespace, sorted by name. */
  async flows(): Promise<Flow[]> {
    const names = await this.datastore.listFlows();
    const flows: Flow[] = [];
    for (const name of names) {
      const runs = await this.datastore.listRuns(name).catch((): RunInfo[] => []);
      if (runs.some((info) => inNamespace(info))) flows.push(this.flow(name));
    }
    return flows;
  }

  /** A flow by name (not checked until read). */
  flow(name: string): Flow {
    return new Flow(name, { datastore: this.datastore });
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Flow> {
    yield* await this.flows();
  }
}
