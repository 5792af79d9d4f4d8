import { resolve } from "node:path";
import { Datastore } from "../datastore/datastore.js";

/** Options every client object accepts. */
export interface ClientOptions {
  /** Datastore to read; default: one at `$WBFLOW_DATASTORE` or `./.wbflow`, resolved when first used. */
  datastore?: Datastore;
}

let defaultDatastore: Datastore | undefined;
let defaultRoot: string | undefined;

/** The datastore a client object reads: the given one, else the default for the current environment. */
export function datastoreOf(options?: ClientOptions): Datastore {
  if (options?.datastore) return options.datastore;
  const root = resolve(process.env.WBFLOW_DATASTORE ?? ".wbflow");
  if (!defaultDatastore || defaultRoot !== root) {
    defaultDatastore = new Datastore({ root });
    defaultRoot = root;
  }
  return defaultDatastore;
}
