/** Whole-file writes that never leave a half-written file: write a temp file beside it, then rename. */
import { randomUUID } from "node:crypto";
import { renameSync, writeFileSync } from "node:fs";

export function writeFileAtomicSync(file: string, data: string | Uint8Array): void {
  const temp = `${file}.${process.pid}.${randomUUID()}.tmp`;
  writeFileSync(temp, data);
  renameSync(temp, file);
}
