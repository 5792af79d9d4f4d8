/**
 * `%flow show|check|run|resume|spin|runs|logs|dump`: the notebook's flows — the graph as a picture, the
 * lint check, a run or resume in this kernel (shown live, then reported), one step spun again from a
 * finished task's inputs, past runs, a task's output and artifacts. Each verb shares its implementation with the `wbflow` command of the same name
 * (src/commands/).
 */
import { Datastore } from "../../flow/datastore/datastore.js";
import { isFlowClass } from "../../flow/define/spec.js";
import { escapeHtml } from "../../display/html-escape.js";
import { htmlTable, textTable } from "../../display/html-table.js";
import { checkPassedText, graphSvg, graphText } from "../../commands/show.js";
import { listRuns, runsTable } from "../../commands/runs.js";
import { formatLogs, readLogs } from "../../commands/logs.js";
import { dumpArtifacts, formatDump } from "../../commands/dump.js";
import { resumeFlowRun } from "../../commands/resume.js";
import { spinFailedMessage, spinFlowStep, spinReportText } from "../../commands/spin.js";
import type { Magic, MagicAction } from "./magic.js";
import { FLOW_MAGIC_SUMMARY } from "./summaries.js";
import { findFlowClass, type FlowClass } from "../flow-view/flow-lookup.js";
import type { GraphInfo } from "../../flow/graph/graph-info.js";
import { MagicUsageError, Notice } from "./notice.js";
import { FlowNotInModuleError } from "../../flow/executors/task-request.js";
import { EXECUTOR_OPTIONS, executorRunOptions } from "./flow-run-executor.js";
import type { FlowRunError } from "../../flow/errors.js";
import type { FlowRun } from "../../flow/runtime/run-handle.js";

const flowName = { name: "name", help: "the flow class, defined in an earlier cell" };
const pathspec = { name: "pathspec", help: "Flow/run/step[/task] (a step or run covers its tasks in order)" };

/** Errors of the shared verbs a user can fix (missing run, step, task, artifact; a wrong argument). */
const USER_ERRORS = new Set(["NotFoundError", "CommandInputError", "ClientNotFoundError", "ResumeError", "TaskNotFinishedError", "ParameterError"]);

/** Runs a shared verb; its user-facing errors become the magic's usage errors (one line, no stack). */
async function verb<T>(command: string, action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (error) {
    if (error instanceof Error && USER_ERRORS.has(error.name)) throw new MagicUsageError(`%flow ${command}: ${error.message}`);
    // E.g. a flow defined in a cell asked to run in worker processes: the message says what to do.
    if (error instanceof FlowNotInModuleError) throw Object.assign(error, { userFacing: true });
    throw error;
  }
}

/** The most past runs `%flow runs` lists. */
export const MAX_LISTED_RUNS = 20;

/** Runs the flow's check and returns its graph; its errors are shown to the user as they are. */
function checkedGraph(flow: FlowClass): GraphInfo {
  try {
    return flow.check();
  } catch (error) {
    // Lint and definition errors already name the step and the fix: show them as they are.
    if (error instanceof Error) throw Object.assign(error, { userFacing: true });
    throw error;
  }
}

/** The cell's error for a run that did not succeed: failed (which step, the fix) or interrupted (which run, how to resume). */
function unsuccessfulRun(run: FlowRun): Error {
  const interrupted = (run.error as Partial<FlowRunError> | undefined)?.interrupted === true;
  const message = interrupted ? run.error!.message : `${run.pathspec} failed: ${run.error?.message ?? "see the step outputs above"}`;
  return Object.assign(new Error(message), { name: "FlowRunError", userFacing: true });
}

const showVerb: MagicAction = {
  summary: "Draw the flow's graph (steps, branches, foreach, joins).",
  arguments: { positionals: [flowName] },
  async run(args, context) {
    const flow = findFlowClass(context.locals, args.positionals.name!, "%flow show");
    const graph = checkedGraph(flow);
    const svg = await graphSvg(graph);
    return { toMimeBundle: () => ({ "text/plain": graphText(graph), "image/svg+xml": svg }) };
  },
};

const checkVerb: MagicAction = {
  summary: "Check the flow's definition and graph; the first problem names the step and the fix.",
  arguments: { positionals: [flowName] },
  async run(args, context) {
    const flow = findFlowClass(context.locals, args.positionals.name!, "%flow check");
    return new Notice(checkPassedText(checkedGraph(flow)));
  },
};

const runVerb: MagicAction = {
  summary: "Run the flow in this kernel with parameters; shows live progress, then the run report.",
  arguments: {
    positionals: [flowName],
    options: EXECUTOR_OPTIONS,
    allowUnknownOptions: true,
  },
  async run(args, context) {
    const flow = findFlowClass(context.locals, args.positionals.name!, "%flow run");
    checkedGraph(flow);
    // The kernel's flow-run watcher shows the live display and the report of this run.
    const options = { throwOnFailure: false, ...executorRunOptions(args.options, context.env) };
    const run = await verb("run", () => flow.run(args.extraOptions, options));
    if (!run.successful) {
      throw unsuccessfulRun(run);
    }
    return undefined;
  },
};

const resumeVerb: MagicAction = {
  summary: "Resume the flow's latest (or --origin-run-id) run in this kernel; finished tasks are cloned.",
  arguments: {
    positionals: [flowName, { name: "step", help: "re-run this step and everything after it", optional: true }],
    options: [{ long: "origin-run-id", help: "the run to resume (default: the latest)", valueName: "ID" }, ...EXECUTOR_OPTIONS],
    allowUnknownOptions: true,
  },
  async run(args, context) {
    const flow = findFlowClass(context.locals, args.positionals.name!, "%flow resume");
    checkedGraph(flow);
    const origin = args.options["origin-run-id"];
    const run = await verb("resume", () =>
      resumeFlowRun(flow, args.extraOptions, {
        throwOnFailure: false,
        ...executorRunOptions(args.options, context.env, "resume"),
        ...(typeof origin === "string" ? { originRunId: origin } : {}),
        ...(args.positionals.step === undefined ? {} : { step: args.positionals.step }),
      }),
    );
    if (!run.successful) {
      throw unsuccessfulRun(run);
    }
    return undefined;
  },
};

const spinVerb: MagicAction = {
  summary: "Run one step again with the current code from a finished task's stored inputs (written to DIR-spin).",
  arguments: {
    positionals: [flowName, { name: "step", help: "the step to run again" }],
    options: [
      { long: "task", help: "the finished task whose inputs to start from (default: the latest run's first)", valueName: "PATHSPEC" },
      { long: "spin-datastore", help: "where the spin run is written (default: the datastore's folder + \"-spin\")", valueName: "DIR" },
    ],
  },
  async run(args, context) {
    const flow = findFlowClass(context.locals, args.positionals.name!, "%flow spin");
    checkedGraph(flow);
    const { task, "spin-datastore": spinRoot } = args.options;
    const outcome = await verb("spin", () =>
      spinFlowStep(flow, args.positionals.step!, {
        datastore: new Datastore(),
        ...(typeof spinRoot === "string" ? { spinDatastore: new Datastore({ root: spinRoot }) } : {}),
        ...(typeof task === "string" ? { task } : {}),
      }),
    );
    if (!outcome.ok) throw Object.assign(new Error(spinFailedMessage(outcome)), { name: "SpinFailedError", userFacing: true });
    return new Notice(await spinReportText(outcome));
  },
};

const runsVerb: MagicAction = {
  summary: `List the flow's past runs, newest first (at most ${MAX_LISTED_RUNS}).`,
  arguments: { positionals: [flowName] },
  async run(args, context) {
    const name = args.positionals.name!;
    const runs = await verb("runs", () => listRuns(new Datastore(), { flow: name, limit: MAX_LISTED_RUNS })).catch((error: unknown) => {
      // A flow defined in the notebook but never run has no folder in the datastore yet.
      if (error instanceof MagicUsageError && isFlowClass(context.locals[name])) return [];
      throw error;
    });
    if (runs.length === 0) return new Notice(`${name} has no runs yet. Run it with %flow run ${name}.`);
    const { headers, rows } = runsTable(runs);
    return new Notice(textTable(headers, rows), `<h4>${escapeHtml(name)}: runs</h4>${htmlTable(headers, rows, "wbflow-runs-table")}`);
  },
};

const logsVerb: MagicAction = {
  summary: "Show the captured output of a task (of every task, for a step or run).",
  arguments: { positionals: [pathspec], options: [{ long: "stderr", help: "standard error instead of standard output" }] },
  async run(args) {
    const logs = await verb("logs", () => readLogs(args.positionals.pathspec!, new Datastore(), args.options.stderr ? "stderr" : "stdout"));
    const text = formatLogs(logs);
    return new Notice(text || "(no output)", `<pre>${escapeHtml(text || "(no output)")}</pre>`);
  },
};

const dumpVerb: MagicAction = {
  summary: "Show a task's artifacts (every task's, for a step): values inline, tables as shape and first rows.",
  arguments: { positionals: [pathspec], options: [{ long: "name", help: "only this artifact", valueName: "ART" }] },
  async run(args) {
    const name = args.options.name;
    const tasks = await verb("dump", () => dumpArtifacts(args.positionals.pathspec!, new Datastore(), typeof name === "string" ? name : undefined));
    const text = formatDump(tasks);
    return new Notice(text, `<pre>${escapeHtml(text)}</pre>`);
  },
};

/** Creates `%flow`: the table of its verbs. */
export function flowMagic(): Magic {
  return {
    name: "flow",
    summary: FLOW_MAGIC_SUMMARY,
    modes: ["line"],
    subcommands: { show: showVerb, check: checkVerb, run: runVerb, resume: resumeVerb, spin: spinVerb, runs: runsVerb, logs: logsVerb, dump: dumpVerb },
  };
}
