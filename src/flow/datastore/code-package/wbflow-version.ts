/** The version of this copy of wbflow, as its package.json says (recorded with every packaged run). */
import { createRequire } from "node:module";

/** Found from this file's place in src/ or dist/ (flow/datastore/code-package/). */
const { version } = createRequire(import.meta.url)("../../../../package.json") as { version: string };

/** This installation's wbflow version, e.g. "0.1.0". */
export const WBFLOW_VERSION: string = version;
