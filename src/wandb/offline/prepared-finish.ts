/**
 * A run's finish prepared ahead, for a caller that must record something elsewhere between "all
 * logged" and "finished" (two-phase: `@wandb_log` stores the flow's task in between). `prepareFinish`
 * keeps, beside the log, the exact bytes `finish()` will append — the held output records and the
 * exit record, framed for the log's current end — in `run-<id>.wandb.prepared`; `finish()` removes
 * it once the log is complete. If the process dies in between, whoever knows the caller's record
 * exists calls `applyPreparedFinish`, which appends those bytes with one write, so the run ends as
 * it would have. The bytes are applied only to a log that still ends where they were framed.
 */
import { appendFileSync, existsSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import path from "node:path";
import { writeFileAtomicSync } from "../../core/atomic-write.js";
import { artifactLocations } from "./artifact-locations.js";
import { ArtifactRegistry, type RunRef } from "./artifact-registry.js";
import { readTransactionLog } from "./transaction-log-reader.js";

/** What a prepared finish names besides its bytes. */
export interface PreparedFinishHeader {
  /** The log's size the bytes were framed for. */
  offset: number;
  run: RunRef;
  /** The held versions the bytes publish (the registry learns their producer when applied). */
  published: Array<{ project: string; name: string; localIndex: number }>;
}

/** How applying went. */
export type PreparedFinishOutcome =
  | { status: "applied" }
  | { status: "nothing prepared" | "already finished" }
  | { status: "refused"; reason: string };

const SUFFIX = ".prepared";

/** Writes the prepared finish of the log at `logPath` (atomically; replaces an older one). */
export function writePreparedFinish(logPath: string, header: PreparedFinishHeader, bytes: Uint8Array): void {
  writeFileAtomicSync(logPath + SUFFIX, Buffer.concat([Buffer.from(`${JSON.stringify(header)}\n`), bytes]));
}

/** Removes the prepared finish of the log at `logPath`, if any: the log no longer needs it. */
export function removePreparedFinish(logPath: string): void {
  rmSync(logPath + SUFFIX, { force: true });
}

function readPrepared(file: string): { header: PreparedFinishHeader; bytes: Buffer } {
  const data = readFileSync(file);
  const newline = data.indexOf(0x0a);
  const header = JSON.parse(data.subarray(0, newline).toString("utf8")) as PreparedFinishHeader;
  if (!Number.isSafeInteger(header.offset) || !Array.isArray(header.published) || typeof header.run?.runId !== "string") {
    throw new Error(`${file} is not a prepared finish`);
  }
  return { header, bytes: data.subarray(newline + 1) };
}

/**
 * Completes the run in `runDir` with its prepared finish when its log has no exit record yet (its
 * process died after preparing, before finishing). Only the caller knows that the finish was meant
 * to happen (its own record exists): a run without that record must stay unfinished.
 */
export async function applyPreparedFinish(runDir: string): Promise<PreparedFinishOutcome> {
  const logName = existsSync(runDir) ? readdirSync(runDir).find((name) => /^run-.+\.wandb$/.test(name)) : undefined;
  if (!logName) return { status: "nothing prepared" };
  const logPath = path.join(runDir, logName);
  if (!existsSync(logPath + SUFFIX)) return { status: "nothing prepared" };
  const log = await readTransactionLog(logPath);
  if (log.records.some((record) => record.type === "exit")) {
    removePreparedFinish(logPath);
    return { status: "already finished" };
  }
  const { header, bytes } = readPrepared(logPath + SUFFIX);
  const size = statSync(logPath).size;
  if (log.tornTail || size !== header.offset) {
    return { status: "refused", reason: `its log ${logPath} was changed after the finish was prepared (${size} bytes, prepared for ${header.offset})` };
  }
  appendFileSync(logPath, bytes);
  const registry = new ArtifactRegistry(artifactLocations(path.dirname(runDir)).registry);
  for (const version of header.published) await registry.confirmProducer(version.project, version.name, version.localIndex, header.run);
  removePreparedFinish(logPath);
  return { status: "applied" };
}
