import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Clock } from "../../../src/wandb/run/clock.js";
import type { InitDependencies } from "../../../src/wandb/run/init.js";

/** A clock the test moves by hand. */
export class ManualClock implements Clock {
  constructor(public ms: number) {}
  now(): number {
    return this.ms;
  }
  advance(ms: number): void {
    this.ms += ms;
  }
}

export function tempDir(prefix = "wbflow-wandb-"): string {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Dependencies for an isolated offline run: no key, private HOME, fixed clock and id. */
export function offlineDeps(root: string, clock: Clock, runId = "abc12345", printed: string[] = []): InitDependencies {
  return {
    env: { NETRC: path.join(root, "netrc"), WANDB_DATA_DIR: path.join(root, "data") },
    home: root,
    cwd: root,
    clock,
    newRunId: () => runId,
    producer: "my-ts-client 0.1.0",
    host: "", // no machine name: records stay byte-identical to the checked-in vectors
    print: (line) => printed.push(line),
  };
}
