/**
 * Whole-file writes that never leave a half-written file: write a temp file beside it, then rename.
 * Synchronous (unlike codecs/atomic-write.ts) because a run's final files are also written from the
 * process 'exit' handler, where nothing asynchronous runs.
 */
import { randomUUID } from "node:crypto";
import { renameSync, writeFileSync } from "node:fs";

export function writeFileAtomicSync(file: string, data: string | Uint8Array): void {
  const temp = `${file}.${process.pid}.${randomUUID()}.tmp`;
  writeFileSync(temp, data);
  renameSync(temp, file);
}
