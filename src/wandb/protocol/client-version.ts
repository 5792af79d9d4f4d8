/** This package's name and version, written into each log's header record as the producer. */
import { createRequire } from "node:module";

// Both src/wandb/protocol/ and dist/wandb/protocol/ are three levels below the package root.
const pkg = createRequire(import.meta.url)("../../../package.json") as { name: string; version: string };

export const CLIENT_NAME = pkg.name;
export const CLIENT_VERSION = pkg.version;
/** Oldest W&B reader the log is written for: wandb-core's MinServerVersion, as W&B writes it. */
export const MIN_CONSUMER_VERSION = "0.70.0";
