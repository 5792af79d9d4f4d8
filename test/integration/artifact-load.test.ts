/** `artifact.load()` refuses clearly what it cannot turn back into a value. */
import { writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, expect, test } from "vitest";
import "../../src/integration/artifact-load.js";
import { ArtifactLoadError } from "../../src/integration/artifact-load.js";
import { Artifact } from "../../src/wandb/artifacts/artifact.js";
import { init } from "../../src/wandb/run/init.js";
import { workspace, type Workspace } from "./workspace.js";

let ws: Workspace;
afterEach(() => ws.restore());

async function logByHand(metadata: Record<string, unknown>): Promise<void> {
  const run = await init({ project: "Hand", mode: "offline" }, { env: ws.env, home: ws.dir, cwd: ws.dir, print: () => undefined });
  const file = path.join(ws.dir, "notes.txt");
  writeFileSync(file, "hello");
  const artifact = new Artifact("notes", "dataset", { metadata });
  artifact.addFile(file);
  await run.logArtifact(artifact);
  await run.finish();
}

test("an artifact not logged by @wandb_log cannot be loaded, and the error says to use download()", async () => {
  ws = workspace("Hand");
  await logByHand({ rows: 1 });
  const version = await ws.api.artifact("notes:v0");
  await expect(version.load()).rejects.toThrow(ArtifactLoadError);
  await expect(version.load()).rejects.toThrow(/notes:v0: it was not logged by @wandb_log.*Use download\(\)/);
});

test("a value written by a codec this process does not know names the codec and how to fix it", async () => {
  ws = workspace("Hand");
  await logByHand({ wbflow: { form: "encoded", codec: "not-registered", file: "notes.txt", attribute: "notes", pathspec: "F/1/s/1" } });
  await expect((await ws.api.artifact("notes:v0")).load()).rejects.toThrow(/codec 'not-registered', which is not registered here\. Register it with registerCodec/);
});
