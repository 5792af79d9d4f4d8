/**
 * Child process for the registry concurrency test: logs `count` versions of the artifact `shared`
 * (distinct contents tagged with `label`) plus one version whose content both children share.
 * Lock-step with the parent: before each logging it waits for a line on stdin, after it prints
 * `logged <version>:<new|dedup>:<content>`; at the end it prints `done`.
 */
import { writeFileSync } from "node:fs";
import path from "node:path";
import { createInterface } from "node:readline";
import { Artifact } from "../../../src/wandb/artifacts/artifact.js";
import { init } from "../../../src/wandb/run/init.js";

const [root, label, countText] = process.argv.slice(2) as [string, string, string];
const count = Number(countText);
const run = await init(
  { project: "proj", id: `child${label}` },
  { env: { NETRC: path.join(root, "netrc") }, home: root, cwd: root, print: () => undefined },
);
const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
console.log("ready");
for (let i = 0; i <= count; i++) {
  await lines.next(); // the parent releases both children at once
  const content = i === count ? "identical in both processes" : `${label}-${i}`;
  const file = path.join(root, `${label}-${i}.txt`);
  writeFileSync(file, `${content}\n`);
  const artifact = new Artifact("shared", "dataset");
  artifact.addFile(file, { name: "data.txt" });
  const logged = await run.logArtifact(artifact);
  console.log(`logged ${logged.version}:${logged.deduplicated ? "dedup" : "new"}:${content}`);
}
await run.finish();
console.log("done");
process.exit(0);
