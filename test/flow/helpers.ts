/** Test helpers for flow tests: a fresh datastore in a temp folder per test. */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Datastore } from "../../src/flow/datastore.js";

/** A datastore rooted in a new temporary folder. */
export function tempDatastore(): Datastore {
  return new Datastore({ root: mkdtempSync(path.join(tmpdir(), "wbflow-engine-")) });
}
