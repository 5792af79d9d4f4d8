/**
 * `wbflow resume FILE [FlowName] [STEP] [--origin-run-id ID] [options]`: `FlowClass.resume()` from
 * the terminal (Metaflow's `python flow.py resume`), with the same progress output as `run`.
 */
import path from "node:path";
import type { FlowEvent } from "../../flow/runtime/events.js";
import type { FlowRun } from "../../flow/runtime/run-handle.js";
import type { ResumeOptions } from "../../flow/runtime/run-options.js";
import { isFlowClass } from "../../flow/define/spec.js";
import { Datastore } from "../../flow/datastore/datastore.js";
import { resumeFlowRun } from "../../commands/resume.js";
import { CliUsageError, type CliCommand } from "../command.js";
import { checkExportedForWorkers, importFlowFile, pickFlowClass } from "./flow-file.js";
import { bullmqRunOptions, parseRunArgs, progressLine } from "./run.js";
import { EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK } from "../exit-codes.js";
import { interruptibleByCtrlC } from "./ctrl-c.js";
import type { FlowRunError } from "../../flow/errors.js";

const usage = `Usage: wbflow resume FILE [FlowName] [STEP] [options]

Resumes a failed (or any) run of the flow in FILE as a new run: tasks that finished in the origin run
are cloned, the failed step and everything after it run again with the current code. With STEP, that
step and everything after it run again even where the origin succeeded.

Parameters cannot change on resume: the origin run's values are reused (a --<parameter> option is
refused). Start a new run with \`wbflow run\` to change them.

Options:
  --origin-run-id ID    the run to resume (default: the flow's latest run)
  --max-workers N       most tasks running at once (default 16)
  --max-num-splits N    most splits one foreach may produce (default 100)
  --tag TAG             a tag for the new run (repeatable)
  --datastore DIR       where runs are stored (default $WBFLOW_DATASTORE or ./.wbflow)
  --executor NAME       where tasks run: in-process (default), processes or bullmq; --redis URL, --queue NAME, --package-suffixes S as for run
  --quiet               print only the final result line`;

/** Flags of `run` (and resume) that take a value: the words after them are not positional. */
const BOOLEAN_FLAGS = new Set(["--quiet"]);

/** Indexes of the positional arguments, read the way `parseRunArgs` reads them. */
function positionalIndexes(args: string[]): number[] {
  const indexes: number[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (!arg.startsWith("--")) indexes.push(i);
    else if (!arg.includes("=") && !BOOLEAN_FLAGS.has(arg) && args[i + 1] !== undefined && !args[i + 1]!.startsWith("--")) i++;
  }
  return indexes;
}

/** Takes `--origin-run-id ID` out of `args`. */
function takeOriginRunId(args: string[]): { rest: string[]; originRunId: string | undefined } {
  const rest: string[] = [];
  let originRunId: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "--origin-run-id" || arg.startsWith("--origin-run-id=")) {
      originRunId = arg.includes("=") ? arg.slice(arg.indexOf("=") + 1) : args[++i];
      if (!originRunId || originRunId.startsWith("--")) throw new CliUsageError("--origin-run-id needs a run id.");
    } else rest.push(arg);
  }
  return { rest, originRunId };
}

async function resume(args: string[]): Promise<number> {
  const { rest, originRunId } = takeOriginRunId(args);
  const positions = positionalIndexes(rest);
  if (positions.length > 3) throw new CliUsageError(`Unexpected argument '${rest[positions[3]!]}'.`);
  // FILE [FlowName] [STEP]: with two words after FILE they are both; with one, it is a flow's name
  // when the file defines a flow by that name, else the step.
  let step: string | undefined;
  let withoutStep = rest;
  const lastWord = positions.length >= 2 ? rest[positions.at(-1)!] : undefined;
  const parsedFile = rest[positions[0]!];
  const exports = parsedFile === undefined ? {} : await importFlowFile(parsedFile);
  const flowNames = new Set([...Object.values(exports), exports.default].filter(isFlowClass).map((flow) => flow.name));
  if (lastWord !== undefined && (positions.length === 3 || !flowNames.has(lastWord))) {
    step = lastWord;
    withoutStep = rest.filter((_, i) => i !== positions.at(-1));
  }
  const parsed = parseRunArgs(withoutStep);
  const flow = pickFlowClass(exports, parsed.file, parsed.flowName, "resume");
  checkExportedForWorkers(flow, parsed.file, parsed.executor, "resume");
  const options: ResumeOptions = {
    tags: parsed.tags,
    throwOnFailure: false,
    ...(originRunId === undefined ? {} : { originRunId }),
    ...(step === undefined ? {} : { step }),
    ...(parsed.maxWorkers === undefined ? {} : { maxWorkers: parsed.maxWorkers }),
    ...(parsed.maxNumSplits === undefined ? {} : { maxNumSplits: parsed.maxNumSplits }),
    ...(parsed.datastore === undefined ? {} : { datastore: new Datastore({ root: parsed.datastore }) }),
    ...(parsed.executor === undefined ? {} : { executor: parsed.executor, flowModule: path.resolve(parsed.file) }),
    ...bullmqRunOptions(parsed),
    ...(parsed.quiet ? {} : { onEvent: (event: FlowEvent) => void printProgress(event) }),
  };
  const result: FlowRun = await interruptibleByCtrlC(() => resumeFlowRun(flow, parsed.params, options));
  if (result.successful) {
    console.log(`Run ${result.pathspec} (resumed from ${flow.name}/${result.originRunId}) finished successfully.`);
    return EXIT_OK;
  }
  console.error(result.error ? result.error.message : `Run ${result.pathspec} did not complete its end step.`);
  return (result.error as Partial<FlowRunError> | undefined)?.interrupted ? EXIT_INTERRUPTED : EXIT_FAILED;
}

function printProgress(event: FlowEvent): void {
  const line = progressLine(event);
  if (line) console.log(line);
}

/** The `wbflow resume` command. */
export const resumeCommand: CliCommand = {
  name: "resume",
  summary: "Resume a failed run of a flow: finished tasks are cloned, the rest run again",
  usage,
  run: resume,
};
