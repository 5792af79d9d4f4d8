/**
 * Child process for the lock takeover race: waits for "go", then `count` times takes the lock and
 * does a read-modify-write of a counter file (lost updates would show two holders at once).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { withLockFile } from "../../../src/wandb/offline/lock-file.js";

const [lockPath, counter, countText] = process.argv.slice(2) as [string, string, string];
const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
console.log("ready");
await lines.next();
for (let i = 0; i < Number(countText); i++) {
  await withLockFile(lockPath, async () => {
    const value = Number(readFileSync(counter, "utf8"));
    await new Promise((resolve) => setImmediate(resolve));
    writeFileSync(counter, String(value + 1));
  }, { timeoutMs: 60_000, staleGraceMs: 30_000 });
}
console.log("done");
