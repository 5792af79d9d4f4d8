/** `--svg OUT` / `--file OUT` into a folder that does not exist: one line naming the path, not a stack trace. */
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, test } from "vitest";
import { runBuiltCli as wbflow } from "../support/cli.js";

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
