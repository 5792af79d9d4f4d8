/**
 * A runner process for cluster tests (started by startRunner in cluster.ts): imports the flow file
 * and runs or resumes it with the bullmq executor, printing one EVENT line per flow event and a
 * RESULT line. It imports `wbflow` by name, as the flow file and the workers do (the built dist/).
 */
import { pathToFileURL } from "node:url";
import { Datastore } from "wbflow";

interface Args {
  file: string;
  flowName: string;
  mode: "run" | "resume";
  store: string;
  params?: Record<string, unknown>;
  options?: Record<string, unknown>;
}

const args = JSON.parse(process.argv[2]!) as Args;
const module = (await import(pathToFileURL(args.file).href)) as Record<string, any>;
const Flow = module[args.flowName];
// SIGINT aborts the run's signal, as a host wires its interrupt (tests interrupt runs this way).
const controller = new AbortController();
process.on("SIGINT", () => controller.abort(new Error("SIGINT to the runner")));
const options = {
  signal: controller.signal,
  executor: "bullmq",
  redis: process.env.WBFLOW_REDIS_URL,
  datastore: new Datastore({ root: args.store }),
  throwOnFailure: false,
  onEvent: (event: { type: string; stepName?: string; taskId?: string; retryCount?: number; error?: Error }) =>
    console.log(`EVENT ${JSON.stringify({ type: event.type, step: event.stepName, task: event.taskId, retry: event.retryCount, error: event.error?.message })}`),
  ...args.options,
};
const run = args.mode === "resume" ? await Flow.resume(options) : await Flow.run(args.params ?? {}, options);
console.log(`RESULT ${JSON.stringify({ successful: run.successful, runId: run.runId, error: run.error?.message })}`);
process.exit(0);
