/**
 * Namespaces, after Metaflow: a global filter on which runs the client sees. A run is in namespace
 * `ns` when `ns` is one of its tags (user or system, e.g. `user:ada`).
 *
 * Deliberate difference: the default is the global namespace (`null`, no filtering), not
 * `user:<name>`. A wbflow datastore is a local folder of one user's runs; Metaflow's per-user
 * default exists for metadata services shared by a team.
 */
import type { Datastore } from "../datastore/datastore.js";
import type { RunInfo } from "../datastore/records.js";

let current: string | null = null;

/** Sets the namespace the client reads from (`null` = every run). Returns the previous one. */
export function namespace(ns: string | null): string | null {
  if (ns !== null && (typeof ns !== "string" || ns.length === 0)) {
    throw new TypeError(`namespace() takes a tag such as "user:ada", or null for all runs; got ${JSON.stringify(ns)}.`);
  }
  const previous = current;
  current = ns;
  return previous;
}

/** The namespace the client reads from; `null` means every run. */
export function getNamespace(): string | null {
  return current;
}

/** Whether a run is visible in the current namespace. */
export function inNamespace(info: RunInfo, ns: string | null = current): boolean {
  return ns === null || info.tags.includes(ns) || info.systemTags.includes(ns);
}

/** Reading a run outside the current namespace by its pathspec. */
export class NamespaceMismatchError extends Error {
  override name = "NamespaceMismatchError";
  constructor(pathspec: string, ns: string) {
    super(`Run('${pathspec}') is not in namespace "${ns}" (it has no tag "${ns}"). Call namespace(null) to read every run.`);
  }
}

/**
 * Throws `NamespaceMismatchError` when a namespace is set and the run is outside it. Free when no
 * namespace is set (the default): nothing is read.
 */
export async function checkRunNamespace(datastore: Datastore, flowName: string, runId: string): Promise<void> {
  const ns = current;
  if (ns === null) return;
  const info = await datastore.readRun(flowName, runId).catch(() => undefined);
  if (info && !inNamespace(info, ns)) throw new NamespaceMismatchError(`${flowName}/${runId}`, ns);
}
