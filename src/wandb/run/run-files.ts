/**
 * The files W&B keeps in a run's `files/` folder: `config.yaml` (config wrapped as
 * `{key: {value: …}}`, as uploaded to W&B), `wandb-summary.json`, `wandb-metadata.json` and
 * `output.log` (console text). Whole files are replaced atomically; `output.log` is appended.
 */
import { appendFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { stringify } from "yaml";
import { CLIENT_NAME, CLIENT_VERSION } from "../protocol/client-version.js";
import { toExtendedJson } from "../protocol/extended-json.js";
import type { JsonTree } from "./key-value-tree.js";
import { writeFileAtomicSync } from "../../core/atomic-write.js";

export const CONFIG_FILE = "config.yaml";
export const SUMMARY_FILE = "wandb-summary.json";
export const METADATA_FILE = "wandb-metadata.json";
export const OUTPUT_FILE = "output.log";

export function writeConfigFile(filesDir: string, config: JsonTree): void {
  const wrapped: Record<string, unknown> = { wandb_version: 1 };
  for (const [key, value] of Object.entries(config)) wrapped[key] = { value };
  writeFileAtomicSync(path.join(filesDir, CONFIG_FILE), stringify(wrapped));
}

export function writeSummaryFile(filesDir: string, summary: JsonTree): void {
  writeFileAtomicSync(path.join(filesDir, SUMMARY_FILE), toExtendedJson(summary, "summary"));
}

/** Facts about the machine that do not change while the process lives. */
let processFacts: { os: string; host: string; cpu_count_logical: number } | undefined;

/**
 * Describes the process that ran the run (W&B's `wandb-metadata.json`). Command-line arguments and
 * the environment are left out: they can carry secrets such as API keys.
 */
export function writeMetadataFile(filesDir: string, startedAtMs: number): void {
  processFacts ??= {
    os: `${os.type()}-${os.release()}`,
    host: os.hostname(),
    // os.cpus() reads /proc/cpuinfo: once per process, not once per run.
    cpu_count_logical: os.cpus().length,
  };
  const metadata = {
    os: processFacts.os,
    program: process.argv[1] ?? "",
    startedAt: new Date(startedAtMs).toISOString(),
    host: processFacts.host,
    executable: process.execPath,
    runtime: `node ${process.versions.node}`,
    client: `${CLIENT_NAME} ${CLIENT_VERSION}`,
    cpu_count_logical: processFacts.cpu_count_logical,
  };
  writeFileAtomicSync(path.join(filesDir, METADATA_FILE), JSON.stringify(metadata, null, 2) + "\n");
}

export function appendOutput(filesDir: string, text: string): void {
  appendFileSync(path.join(filesDir, OUTPUT_FILE), text);
}
