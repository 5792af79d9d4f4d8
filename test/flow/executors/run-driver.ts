/**
 * Runs a flow file the way a user's program does — the flow imported (TypeScript through tsx), the run
 * started through `wbflow` — and prints one line `RESULT {json}` with the outcome and every task.
 * Usage: node --import tsx run-driver.ts FILE FLOW DATASTORE EXECUTOR MAXWORKERS [PARAMS_JSON]
 */
import { pathToFileURL } from "node:url";
import { Datastore } from "wbflow";
import { runSummary } from "./run-summary.js";

// As the notebook kernel does for its cells: `wbflow` in the flow file means this copy, installed or not.
const LINK_MODULE = "../../../dist/flow/executors/processes/link-wbflow.js"; // the build's, as the kernel runs it
if (process.env.WBFLOW_DRIVER_LINK === "1") ((await import(LINK_MODULE)) as { linkWbflow(): void }).linkWbflow();
const [file, flowName, root, executor, maxWorkers, params] = process.argv.slice(2) as [string, string, string, string, string, string?];
const module = (await import(pathToFileURL(file).href)) as Record<string, any>;
const run = await module[flowName].run(JSON.parse(params ?? "{}"), {
  datastore: new Datastore({ root }),
  executor,
  maxWorkers: Number(maxWorkers),
  throwOnFailure: false,
});
process.stdout.write(`RESULT ${JSON.stringify(runSummary(run))}\n`);
