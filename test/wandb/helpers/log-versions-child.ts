/**
 * Child process for the registry concurrency test: logs `count` versions of the artifact `shared`
 * (distinct contents tagged with `label`) plus one version whose content both children share, then
 * prints the versions it got as JSON. Starts logging when the parent writes a line to stdin.
 */
import { writeFileSync } from "node:fs";
import path from "node:path";
import { Artifact } from "../../../src/wandb/artifact.js";
import { init } from "../../../src/wandb/init.js";

const [root, label, countText] = process.argv.slice(2) as [string, string, string];
const run = await init(
  { project: "proj", id: `child${label}` },
  { env: { NETRC: path.join(root, "netrc") }, home: root, cwd: root, print: () => undefined },
);
// Barrier: tell the parent we are ready, then wait for its "go" so both children log at the same time.
console.log("ready");
await new Promise<void>((resolve) => process.stdin.once("data", () => resolve()));
process.stdin.pause();
const got: string[] = [];
for (let i = 0; i <= Number(countText); i++) {
  const content = i === Number(countText) ? "identical in both processes\n" : `${label}-${i}\n`;
  const file = path.join(root, `${label}-${i}.txt`);
  writeFileSync(file, content);
  const artifact = new Artifact("shared", "dataset");
  artifact.addFile(file, { name: "data.txt" });
  const logged = await run.logArtifact(artifact);
  got.push(`${logged.version}:${logged.deduplicated ? "dedup" : "new"}:${content.trim()}`);
}
await run.finish();
console.log(JSON.stringify(got));
