/**
 * Child process that opens a run, logs a row and never calls finish(). With "exit" it ends through
 * process.exit(); with "drain" it simply runs out of work.
 */
import path from "node:path";
import { init } from "../../../src/wandb/run/init.js";

const [root, how] = process.argv.slice(2) as [string, "exit" | "drain"];
const run = await init({ project: "p", id: `left${how}` }, { env: { NETRC: path.join(root, "netrc") }, home: root, cwd: root, print: () => undefined });
run.log({ loss: 0.5 });
run.writeConsole("working\n");
console.log(run.dir);
if (how === "exit") process.exit(0);
