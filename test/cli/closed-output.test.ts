/**
 * `wbflow ... | head`: the reader closes the pipe after a few lines. The command must neither print a
 * stack trace (EPIPE) nor stop half-way: a run still ends and records its status.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, test } from "vitest";

const BIN = path.join(import.meta.dirname, "..", "..", "bin", "wbflow.js");

/** Runs `wbflow ARGS`, closing its standard output (as `head -1` does) once its first output arrived. */
function wbflowIntoHead(args: string[], cwd: string): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd, env: { PATH: process.env["PATH"] ?? "", HOME: cwd } });
    let stderr = "";
    child.stdout.once("data", () => child.stdout.destroy());
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stderr }));
  });
}

function wbflowJson(args: string[], cwd: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args, "--json"], { cwd, env: { PATH: process.env["PATH"] ?? "", HOME: cwd } });
    let stdout = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.on("error", reject);
    child.on("close", () => resolve(JSON.parse(stdout)));
  });
}

describe("output piped into a reader that stops early", () => {
  test("wbflow run and wbflow logs end quietly and the run is recorded as finished", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "wbflow-head-"));
    writeFileSync(
      path.join(dir, "chatty.ts"),
      `import { FlowSpec, step } from "wbflow";
export class ChattyFlow extends FlowSpec {
  @step start() { for (let i = 0; i < 20000; i++) console.log("line " + i); this.next(this.end); }
  @step end() {}
}
`,
    );
    const run = await wbflowIntoHead(["run", "chatty.ts", "--datastore", "store"], dir);
    expect(run.stderr).not.toContain("EPIPE");
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const runs = (await wbflowJson(["runs", "ChattyFlow", "--datastore", "store"], dir)) as Array<{ pathspec: string; status: string }>;
    expect(runs.map((r) => r.status)).toEqual(["successful"]);
    const logs = await wbflowIntoHead(["logs", `${runs[0]!.pathspec}/start`, "--datastore", "store"], dir);
    expect(logs.stderr).toBe("");
    expect(logs.code).toBe(0);
  });
});
