/** `--svg OUT` / `--file OUT` into a folder that does not exist: one line naming the path, not a stack trace. */
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, test } from "vitest";

const BIN = path.join(import.meta.dirname, "..", "..", "bin", "wbflow.js");

function wbflow(args: string[], cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd, env: { PATH: process.env["PATH"] ?? "", HOME: cwd } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

test("wbflow show --svg and wbflow dump --file into a missing folder say so in one line", async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "wbflow-out-"));
  writeFileSync(
    path.join(dir, "flow.ts"),
    `import { FlowSpec, step } from "wbflow";
export class OutFlow extends FlowSpec { @step start() { (this as any).x = 1; this.next(this.end); } @step end() {} }
`,
  );
  const show = await wbflow(["show", "flow.ts", "--svg", "pictures/graph.svg"], dir);
  expect(show.stderr).toBe("wbflow show: cannot use pictures/graph.svg: no such file or folder. Check the path (create the folder first when writing into one) (ENOENT).\n");
  expect(show.code).toBe(1);
  expect((await wbflow(["run", "flow.ts", "--quiet", "--datastore", "store"], dir)).code).toBe(0);
  const runs = JSON.parse((await wbflow(["runs", "--json", "--datastore", "store"], dir)).stdout) as Array<{ pathspec: string }>;
  const dump = await wbflow(["dump", `${runs[0]!.pathspec}/start`, "--file", "out/x.json", "--datastore", "store"], dir);
  expect(dump.stderr).toMatch(/^wbflow dump: cannot use out\/x\.json: no such file or folder\. .* \(ENOENT\)\.\n$/);
  expect(dump.code).toBe(1);
});
