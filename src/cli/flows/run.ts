/**
 * `wbflow run FILE [FlowName] [--<param> value ...]`: runs a flow defined in a .ts or .js file, like
 * Metaflow's `python flow.py run`, printing one progress line per task event.
 */
import path from "node:path";
import type { FlowEvent } from "../../flow/runtime/events.js";
import type { FlowRun } from "../../flow/runtime/run-handle.js";
import type { RunOptions } from "../../flow/runtime/run-options.js";
import { checkPackageSuffixes } from "../../flow/datastore/code-package/suffix-files.js";
import { CodePackageError } from "../../flow/datastore/code-package/errors.js";
import { Datastore } from "../../flow/datastore/datastore.js";
import { readFlowDefinition } from "../../flow/define/flow-definition.js";
import { REDIS_URL_ENV, RedisUrlError, redisUrlFrom } from "../../flow/executors/bullmq/redis-url.js";
import { CliUsageError, type CliCommand } from "../command.js";
import { parametersHelp } from "./run-help.js";
import { checkExportedForWorkers, loadFlowClass } from "./flow-file.js";
import { interruptibleByCtrlC } from "./ctrl-c.js";
import { EXIT_INTERRUPTED } from "../exit-codes.js";
import type { FlowRunError } from "../../flow/errors.js";

const usage = `Usage: wbflow run FILE [FlowName] [options] [--<parameter> VALUE ...]

Runs a flow class defined (or exported) by FILE (.ts, .mts, .js or .mjs). FlowName is needed only
when the file has several flows. Flow parameters are given as --<name> VALUE (a boolean parameter may be given
as a bare --<name>); \`wbflow run FILE --help\` lists them.

Options:
  --executor NAME       where tasks run: in-process (default), processes (worker processes, every core) or
                        bullmq (worker processes on many machines, through Redis; docs/cluster.md)
  --max-workers N       most tasks running at once (default 16; with --executor processes, the number of cores)
  --max-num-splits N    most splits one foreach may produce (default 100)
  --tag TAG             a tag for the run (repeatable)
  --datastore DIR       where runs are stored (default $WBFLOW_DATASTORE or ./.wbflow)
  --redis URL           bullmq: the Redis of the workers (default $WBFLOW_REDIS_URL, which keeps a password out of ps)
  --queue NAME          bullmq: the queue the workers take tasks from (default wbflow)
  --package-suffixes S  bullmq: also package the files under the flow file's folder ending in these
                        (comma-separated, e.g. .json,.csv): files the steps read at run time
  --quiet               print only the final result line`;

interface ParsedArgs {
  file: string;
  flowName: string | undefined;
  params: Record<string, string | boolean>;
  executor: "in-process" | "processes" | "bullmq" | undefined;
  maxWorkers: number | undefined;
  maxNumSplits: number | undefined;
  tags: string[];
  datastore: string | undefined;
  /** bullmq: the Redis URL, the queue and the suffixes of extra files to package. */
  redis: string | undefined;
  queue: string | undefined;
  packageSuffixes: string[] | undefined;
  quiet: boolean;
}

function positiveInteger(option: string, text: string | undefined): number {
  const value = Number(text);
  if (text === undefined || !Number.isInteger(value) || value < 1) {
    throw new CliUsageError(`${option} needs a whole number >= 1; got ${text ?? "nothing"}.`);
  }
  return value;
}

/** Parses the arguments after `run` (one switch over the flags; unknown flags are flow parameters). Exported for tests. */
export function parseRunArgs(args: string[], env: NodeJS.ProcessEnv = process.env): ParsedArgs {
  const parsed: ParsedArgs = {
    file: "",
    flowName: undefined,
    params: {},
    executor: undefined,
    maxWorkers: undefined,
    maxNumSplits: undefined,
    tags: [],
    datastore: undefined,
    redis: undefined,
    queue: undefined,
    packageSuffixes: undefined,
    quiet: false,
  };
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (!arg.startsWith("--")) {
      positional.push(arg);
      continue;
    }
    const [flag, inline] = arg.includes("=") ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)] : [arg, undefined];
    const takeValue = (): string | undefined => {
      if (inline !== undefined) return inline;
      const next = args[i + 1];
      if (next === undefined || next.startsWith("--")) return undefined;
      i++;
      return next;
    };
    switch (flag) {
      case "--executor": {
        const name = takeValue();
        if (name !== "in-process" && name !== "processes" && name !== "bullmq") {
          throw new CliUsageError(`--executor is in-process, processes or bullmq; got ${name ?? "nothing"}.`);
        }
        parsed.executor = name;
        break;
      }
      case "--max-workers":
        parsed.maxWorkers = positiveInteger(flag, takeValue());
        break;
      case "--max-num-splits":
        parsed.maxNumSplits = positiveInteger(flag, takeValue());
        break;
      case "--tag": {
        const tag = takeValue();
        if (!tag) throw new CliUsageError("--tag needs a value.");
        parsed.tags.push(tag);
        break;
      }
      case "--datastore": {
        const dir = takeValue();
        if (!dir) throw new CliUsageError("--datastore needs a folder.");
        parsed.datastore = dir;
        break;
      }
      case "--redis":
      case "--queue": {
        const value = takeValue();
        if (!value) throw new CliUsageError(`${flag} needs a value.`);
        parsed[flag === "--redis" ? "redis" : "queue"] = value;
        break;
      }
      case "--package-suffixes":
        parsed.packageSuffixes = packageSuffixes(takeValue());
        break;
      case "--quiet":
        parsed.quiet = true;
        break;
      default:
        parsed.params[flag.slice(2)] = takeValue() ?? true;
    }
  }
  const [file, flowName, ...extra] = positional;
  if (!file) throw new CliUsageError("Give the file that defines the flow.");
  if (extra.length > 0) throw new CliUsageError(`Unexpected argument '${extra[0]}'. Parameters are given as --name value.`);
  if (parsed.executor === "bullmq") checkBullmqRedis(parsed.redis, env);
  if (parsed.packageSuffixes && parsed.executor !== "bullmq") {
    throw new CliUsageError("--package-suffixes is for --executor bullmq (workers elsewhere); other executors read files where they are.");
  }
  return { ...parsed, file, flowName };
}

function packageSuffixes(text: string | undefined): string[] {
  const suffixes = (text ?? "").split(",").filter((suffix) => suffix !== "");
  if (suffixes.length === 0) throw new CliUsageError("--package-suffixes needs file endings, e.g. .json,.csv.");
  try {
    return [...checkPackageSuffixes(suffixes)];
  } catch (error) {
    if (error instanceof CodePackageError) throw new CliUsageError(error.message);
    throw error;
  }
}

/** The bullmq executor's options among the parsed arguments (of run, and resume). */
export function bullmqRunOptions(parsed: ParsedArgs): Pick<RunOptions, "redis" | "queue" | "packageSuffixes"> {
  return {
    ...(parsed.redis === undefined ? {} : { redis: parsed.redis }),
    ...(parsed.queue === undefined ? {} : { queue: parsed.queue }),
    ...(parsed.packageSuffixes === undefined ? {} : { packageSuffixes: parsed.packageSuffixes }),
  };
}

/** The bullmq executor's Redis URL is checked before the run starts (messages show it masked). */
function checkBullmqRedis(given: string | undefined, env: NodeJS.ProcessEnv): void {
  try {
    redisUrlFrom(given, env, `--executor bullmq needs the workers' Redis: give --redis URL, or set $${REDIS_URL_ENV}.`);
  } catch (error) {
    if (error instanceof RedisUrlError) throw new CliUsageError(error.message);
    throw error;
  }
}

function timestamp(): string {
  return new Date().toISOString().replace("T", " ").replace("Z", "");
}

/** One Metaflow-like progress line per event, or undefined for events not shown. */
export function progressLine(event: FlowEvent): string | undefined {
  switch (event.type) {
    case "run-started":
      return `${timestamp()} Workflow starting (run-id ${event.runId})${event.originRunId ? `, resuming ${event.originRunId}` : ""}:`;
    case "task-started":
      return `${timestamp()} [${event.runId}/${event.stepName}/${event.taskId}] Task is starting${event.retryCount > 0 ? ` (retry ${event.retryCount})` : ""}.`;
    case "task-finished":
      return `${timestamp()} [${event.runId}/${event.stepName}/${event.taskId}] ${
        event.cloned ? "Cloned from the origin run." : "Task finished successfully."
      }${event.foreachSplits !== undefined ? ` Foreach yields ${event.foreachSplits} child steps.` : ""}`;
    case "task-retrying":
      return `${timestamp()} [${event.runId}/${event.stepName}/${event.taskId}] Task failed: ${event.error.message} Retrying.`;
    case "task-failed":
      return `${timestamp()} [${event.runId}/${event.stepName}/${event.taskId}] ${
        event.handledByCatch ? `Failure handled by @catch: ${event.error.message}` : `Task failed: ${event.error.message}`
      }`;
    case "run-finished":
      return event.successful ? `${timestamp()} Done!` : undefined;
  }
}

const HELP_FLAGS = new Set(["--help", "-h"]);

/** Prints the usage and, when a flow file is named, the parameters of its flow. */
async function printHelp(args: string[]): Promise<number> {
  const rest = args.filter((arg) => !HELP_FLAGS.has(arg));
  if (!rest.some((arg) => !arg.startsWith("-"))) {
    console.log(usage);
    return 0;
  }
  const parsed = parseRunArgs(rest);
  const flow = await loadFlowClass(parsed.file, parsed.flowName);
  let parameters: string;
  try {
    const definition = readFlowDefinition(flow);
    parameters = parametersHelp(definition.name, definition.parameters);
  } catch (error) {
    console.error(`wbflow run: ${(error as Error).message}`);
    return 1;
  }
  console.log(`${usage}\n\n${parameters}`);
  return 0;
}

async function run(args: string[]): Promise<number> {
  if (args.some((arg) => HELP_FLAGS.has(arg))) return printHelp(args);
  const parsed = parseRunArgs(args);
  const flow = await loadFlowClass(parsed.file, parsed.flowName);
  checkExportedForWorkers(flow, parsed.file, parsed.executor);
  const options: RunOptions = {
    tags: parsed.tags,
    throwOnFailure: false,
    ...(parsed.maxWorkers === undefined ? {} : { maxWorkers: parsed.maxWorkers }),
    // Workers import the file itself (the class is found there by name).
    ...(parsed.executor === undefined ? {} : { executor: parsed.executor, flowModule: path.resolve(parsed.file) }),
    ...(parsed.maxNumSplits === undefined ? {} : { maxNumSplits: parsed.maxNumSplits }),
    ...(parsed.datastore === undefined ? {} : { datastore: new Datastore({ root: parsed.datastore }) }),
    ...bullmqRunOptions(parsed),
    ...(parsed.quiet
      ? {}
      : {
          onEvent: (event: FlowEvent) => {
            const line = progressLine(event);
            if (line) console.log(line);
          },
        }),
  };
  let result: FlowRun;
  try {
    result = await interruptibleByCtrlC(() => flow.run(parsed.params, options));
  } catch (error) {
    // Definition, lint and parameter errors: nothing ran.
    console.error(`wbflow run: ${(error as Error).message}`);
    return 1;
  }
  if (result.successful) {
    console.log(`Run ${result.pathspec} finished successfully.`);
    return 0;
  }
  console.error(result.error ? result.error.message : `Run ${result.pathspec} did not complete its end step.`);
  return (result.error as Partial<FlowRunError> | undefined)?.interrupted ? EXIT_INTERRUPTED : 1;
}

/** The `wbflow run` command. */
export const runCommand: CliCommand = {
  name: "run",
  summary: "Run a flow defined in a .ts or .js file",
  usage,
  handlesHelp: true,
  run,
};
