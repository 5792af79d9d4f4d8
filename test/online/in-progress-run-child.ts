/**
 * Child process that opens an offline run, logs a row, prints its directory, then waits: it
 * finishes the run when its stdin ends (or is killed by the test before that).
 */
import path from "node:path";
import { init } from "../../src/wandb/run/init.js";

const [root] = process.argv.slice(2) as [string];
const run = await init({ project: "proj", id: "going001", mode: "offline" }, { env: { NETRC: path.join(root, "netrc") }, home: root, cwd: root, print: () => undefined });
run.log({ loss: 0.5 });
console.log(run.dir);
process.stdin.resume();
process.stdin.on("end", () => {
  run.log({ loss: 0.25 });
  void run.finish();
});
