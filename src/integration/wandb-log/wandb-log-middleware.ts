/**
 * The task middleware of `@wandb_log`: one W&B run per task attempt, open while the step body runs
 * (as the task's active `run`), then the step's inputs marked used at exact versions, its outputs
 * logged (committed locally, published at the run's finish) and the versions recorded in the task's
 * metadata. The run is finished only once the flow has stored the attempt (`finishTaskRun`, on
 * `onAttemptEnd`) — failed (exit code 1) when the body threw, after still recording what it read and
 * wrote. Logging problems are printed and never fail a step that succeeded; the body's own error is
 * always rethrown unchanged.
 */
import type { AttemptEnd, ClonedFrom } from "../../flow/task/lifecycle.js";
import { applyPreparedFinish } from "../../wandb/offline/prepared-finish.js";
import type { TaskMiddleware, TaskContext } from "../../flow/task/middleware.js";
import { init } from "../../wandb/run/init.js";
import type { Run } from "../../wandb/run/run.js";
import { withActiveRun } from "./active-run.js";
import { runLine, skippedLine } from "./output-lines.js";
import { toSummaryValue } from "./summary-value.js";
import { trackInputs, useInputs } from "./task-inputs.js";
import { logOutputs } from "./task-outputs.js";
import { taskInitOptions, taskRunName } from "./task-run-options.js";
import { TASK_METADATA_KEY, taskWandbRecordOf, type TaskWandbRecord } from "./task-wandb-record.js";
import { wandbLogEnvironment } from "./wandb-log-environment.js";
import type { WandbLogOptions } from "./wandb-log-options.js";

/**
 * The flow's parameters as config values, keyed by parameter name (`Parameter("lr")` → `lr`, even on
 * an attribute named otherwise); one that JSON cannot hold is left out with a line.
 */
function parameterConfig(ctx: TaskContext, label: string, print: (line: string) => void): Record<string, unknown> {
  const config: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(ctx.parameters)) {
    const converted = toSummaryValue(value, name);
    if (converted.basic) config[name] = converted.value;
    else print(skippedLine(label, name, converted.typeName, "a parameter W&B config cannot hold"));
  }
  return config;
}

/** Whether W&B is switched off (`mode: "disabled"` in the settings or `WANDB_MODE`): then the step runs quietly unlogged. */
function isDisabled(ctx: TaskContext<WandbLogOptions>, env: NodeJS.ProcessEnv): boolean {
  const mode = ctx.decoratorOptions.settings?.mode ?? env["WANDB_MODE"];
  return mode === "disabled";
}

async function startRun(ctx: TaskContext<WandbLogOptions>, label: string): Promise<Run | undefined> {
  const environment = wandbLogEnvironment();
  const env = environment.env();
  if (isDisabled(ctx, env)) return undefined;
  try {
    const options = taskInitOptions(ctx, parameterConfig(ctx, label, environment.print), env);
    return await init(options, { env, ...environment.initDependencies() });
  } catch (error) {
    environment.print(`wandb: ${label} runs without W&B logging: its run could not start (${(error as Error).message})`);
    return undefined;
  }
}

/** A task's W&B run, logged and waiting for the flow to store the attempt. */
interface OpenTaskRun {
  run: Run;
  exitCode: number;
  label: string;
}

/** The open run of each attempt, by the attempt's context (the same object reaches `onAttemptEnd`). */
const openTaskRuns = new WeakMap<TaskContext, OpenTaskRun>();

/** `@wandb_log`'s middleware: logs the attempt; its run is finished by {@link finishTaskRun}. */
export const wandbLogMiddleware: TaskMiddleware<WandbLogOptions> = async (ctx, next) => {
  const { print } = wandbLogEnvironment();
  const label = taskRunName(ctx);
  const run = await startRun(ctx, label);
  if (!run) return next();
  const reads = trackInputs(ctx);
  let failure: { error: unknown } | undefined;
  try {
    await withActiveRun(run, next);
  } catch (error) {
    failure = { error };
  }
  let exitCode = failure ? 1 : 0;
  let record: TaskWandbRecord | undefined;
  try {
    await useInputs(run, reads.inputs(), { ctx, label, print });
    const { logged: artifacts, unstorable } = await logOutputs(run, ctx.artifacts.written(), {
      options: ctx.decoratorOptions,
      pathspec: ctx.pathspec,
      label,
      print,
    });
    if (exitCode === 0 && unstorable.length > 0) {
      // The engine stores outputs after this middleware, with the same codecs: it will fail the task.
      exitCode = 1;
      print(`wandb: ${label} cannot be stored by the flow (${unstorable.join(", ")}), so the task fails: its run is marked failed`);
    }
    // Online: the server has everything but the outputs and the exit, and the run's page is known.
    await run.flush();
    record = {
      run: {
        id: run.id,
        project: run.project,
        ...(run.entity ? { entity: run.entity } : {}),
        ...(run.group ? { group: run.group } : {}),
        ...(run.jobType ? { jobType: run.jobType } : {}),
        dir: run.dir,
        exitCode,
        mode: run.mode === "online" ? "online" : "offline",
        wandbDir: run.settings.wandb_dir,
        ...(run.url ? { url: run.url } : {}),
      },
      artifacts,
    };
  } catch (error) {
    print(`wandb: ${label} could not finish logging: ${(error as Error).message}`);
  }
  if (record) ctx.addMetadata(TASK_METADATA_KEY, record);
  try {
    // Should the process end once the flow stored the task, resume finishes the run with this (see completeClonedTaskRun).
    run.prepareFinish(exitCode);
  } catch (error) {
    print(`wandb: ${label} could not prepare its run's finish: ${(error as Error).message}`);
  }
  openTaskRuns.set(ctx, { run, exitCode, label });
  // Printed here, inside the task's output (its logs keep it); the run is finished once the task is stored.
  const url = run.url;
  print(runLine(ctx.pathspec, { id: run.id, dir: run.dir, ...(url ? { url } : {}) }, exitCode));
  if (failure) throw failure.error;
};

/**
 * `@wandb_log`'s `onAttemptEnd`: the flow has stored the attempt (or failed to), so its W&B run is
 * finished now — never before, so a process killed in between leaves a run without an exit record
 * (W&B shows it failed or crashed) rather than a finished run the flow never recorded. The output
 * versions are published only with a stored attempt; an attempt that was not stored fails its run.
 */
export async function finishTaskRun(ctx: TaskContext<WandbLogOptions>, end: AttemptEnd): Promise<void> {
  const open = openTaskRuns.get(ctx);
  if (!open) return;
  openTaskRuns.delete(ctx);
  const { run, label } = open;
  const { print } = wandbLogEnvironment();
  const exitCode = end.stored ? open.exitCode : 1;
  if (!end.stored) print(`wandb: ${label} was not stored by the flow, so its run is marked failed and its outputs are not published`);
  try {
    await run.finish(exitCode, { heldOutputs: end.stored ? "publish" : "discard" });
  } catch (error) {
    print(`wandb: ${label}: ${(error as Error).message}`);
  }
}

/**
 * `@wandb_log`'s `onTaskCloned`: resume reuses a task the flow stored. If its process ended before
 * the task's W&B run was finished, the run's prepared finish (its outputs and exit, as recorded) is
 * applied now, so W&B shows what the flow recorded. Offline logs only: an online run's server copy
 * is completed by `wbflow sync` of that run once its log is.
 */
export async function completeClonedTaskRun(_ctx: TaskContext<WandbLogOptions>, origin: ClonedFrom): Promise<void> {
  const record = taskWandbRecordOf(origin.metadata);
  if (!record) return;
  const { print } = wandbLogEnvironment();
  const outcome = await applyPreparedFinish(record.run.dir);
  if (outcome.status === "applied") {
    print(`wandb: ${origin.pathspec} was stored by the flow, but its process ended before its W&B run ${record.run.id} was finished; it is finished now, as recorded`);
  } else if (outcome.status === "refused") {
    print(`wandb: ${origin.pathspec}: its W&B run ${record.run.id} was never finished and cannot be finished now: ${outcome.reason}`);
  }
}
