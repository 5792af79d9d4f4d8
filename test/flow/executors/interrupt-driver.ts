/**
 * Runs (or resumes) a flow file with the `processes` executor and a stop signal that SIGINT to this
 * process aborts, as a host would wire its interrupt; prints `RESULT {json}` with the outcome and tasks.
 * Usage: node --import tsx interrupt-driver.ts FILE FLOW DATASTORE MAXWORKERS run|resume [ORIGIN_RUN_ID]
 */
import { pathToFileURL } from "node:url";
import { Datastore } from "wbflow";

const [file, flowName, root, maxWorkers, mode, originRunId] = process.argv.slice(2) as [string, string, string, string, string, string?];
const controller = new AbortController();
process.on("SIGINT", () => controller.abort(new Error("SIGINT to the driver")));
const module = (await import(pathToFileURL(file).href)) as Record<string, any>;
const options = { datastore: new Datastore({ root }), executor: "processes", maxWorkers: Number(maxWorkers), throwOnFailure: false, signal: controller.signal };
const run = mode === "resume" ? await module[flowName].resume({ ...options, originRunId }) : await module[flowName].run({}, options);
const tasks = run.tasks.map((t: any) => ({ pathspec: t.pathspec, stepName: t.stepName, ok: t.ok, cloned: t.cloned, error: t.error && { name: t.error.name, message: t.error.message } }));
const error = run.error && { name: run.error.name, message: run.error.message, interrupted: run.error.interrupted };
process.stdout.write(`RESULT ${JSON.stringify({ runId: run.runId, successful: run.successful, error, tasks })}\n`);
