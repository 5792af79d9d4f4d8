/**
 * The plain-data form of one attempt, for executors that run it in another process: the request the
 * scheduler's side sends, and the result and events the worker's side sends back. Both are JSON-safe
 * (structured-clone-safe as well) and carry no secrets.
 */
import type { ArtifactRecord, TaskKey } from "../datastore/datastore.js";
import * as flowErrors from "../errors.js";
import { foreachValueLabel, type ForeachFrame } from "../task/foreach.js";
import type { AttemptResult } from "../task/task-execution.js";
import type { ChosenTransition } from "../task/task-state.js";
import type { AttemptAssignment } from "./executor.js";

/** Version of the request/result shapes; a worker refuses a request of another version. */
export const TASK_REQUEST_VERSION = 1;

/** Everything a process that can import the flow's module needs to run one attempt against the shared datastore. */
export interface TaskRequest {
  version: typeof TASK_REQUEST_VERSION;
  /** The flow: the file that defines it (absolute path) and its class name (also the flow's name). */
  flow: { module: string; className: string };
  /** Root folder of the shared datastore. */
  datastoreRoot: string;
  run: { runId: string; originRunId?: string; userName: string; tags: string[]; maxNumSplits: number };
  task: {
    stepName: string;
    taskId: string;
    attempt: number;
    /** The tasks it starts from (one parent, or every input of a join in order); their outputs are in the datastore. */
    parents: TaskKey[];
    /** The artifact records of the parents, when the scheduler has them (saves reading their indexes). */
    parentRecords?: Array<Record<string, ArtifactRecord>>;
    foreachStack: ForeachFrame[];
    branchStack: Array<{ split: string; branch: string; index: number }>;
    iterationStack: number[];
  };
  /** Settings from the environment the attempt should see (WANDB_* and WBFLOW_*, never keys, tokens or passwords). */
  env: Record<string, string>;
}

/** An error as plain data. */
export interface PlainError {
  name: string;
  message: string;
  stack?: string;
}

/** How an attempt ended, as plain data: what the scheduler needs for the next transitions. */
export interface TaskResult {
  /** "ok": succeeded; "caught": failed and a decorator handled it (the run goes on); "failed". */
  status: "ok" | "caught" | "failed";
  error?: PlainError;
  /** Set when the attempt failed and the decorators asked for another attempt. */
  retry?: { delayMs: number };
  /** The transition taken; a foreach's elements are their display labels (the scheduler only counts and labels them). */
  transition?: { targets: string[]; foreachVar: string | null; elements?: string[]; switchValue?: string };
  /** Every artifact record the attempt stored (inherited ones included). */
  artifacts: Record<string, ArtifactRecord>;
  /** What the attempt printed (already stored in the task's logs). */
  output: { stdout: string; stderr: string };
}

/** What a worker reports while an attempt runs. */
export type AttemptEvent = { type: "output"; stream: "stdout" | "stderr"; text: string };

// Forwarded so a worker elsewhere logs where this process would; secrets stay behind (~/.netrc holds the
// key; a worker has its own Redis URL). A request may sit in Redis (a BullMQ job's data) for hours.
const FORWARDED_PREFIXES = ["WANDB_", "WBFLOW_"];
const SECRET = /KEY|TOKEN|SECRET|PASSWORD/i;
/** A URL carrying a password, e.g. redis://:password@host:6379. */
const URL_WITH_PASSWORD = /^[a-z][a-z0-9+.-]*:\/\/[^/?#@]*:[^/?#]*@/i;

/** Whether a variable is a setting a worker gets from the run: WANDB_* or WBFLOW_*, and no secret in its name or value. */
export function isForwardedSetting(name: string, value: string | undefined): boolean {
  return FORWARDED_PREFIXES.some((p) => name.startsWith(p)) && !SECRET.test(name) && !URL_WITH_PASSWORD.test(value ?? "");
}

/** The settings of `env` a worker should see. */
export function forwardedEnv(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const forwarded: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) if (value !== undefined && isForwardedSetting(name, value)) forwarded[name] = value;
  return forwarded;
}

/** Thrown by `taskRequestOf` when the flow's class has no module file a worker could import. */
export class FlowNotInModuleError extends Error {
  override name = "FlowNotInModuleError";
}

/** The request for an assigned attempt; throws FlowNotInModuleError when the flow is not defined in a module file. */
export function taskRequestOf({ run, spec, attempt }: AttemptAssignment): TaskRequest {
  if (run.flowModule === undefined) throw flowNotInModule(run.flowName);
  return {
    version: TASK_REQUEST_VERSION,
    flow: { module: run.flowModule, className: run.definition.flowClass.name },
    datastoreRoot: run.datastore.root,
    run: {
      runId: run.runId,
      ...(run.originRunId === undefined ? {} : { originRunId: run.originRunId }),
      userName: run.userName,
      tags: run.tags,
      maxNumSplits: run.maxNumSplits,
    },
    task: {
      stepName: spec.stepName,
      taskId: spec.taskId,
      attempt,
      parents: spec.parents,
      ...(spec.parentRecords ? { parentRecords: spec.parentRecords } : {}),
      foreachStack: spec.foreachStack,
      branchStack: spec.branchStack,
      iterationStack: spec.iterationStack,
    },
    env: forwardedEnv(),
  };
}

/** The error for a flow that worker processes cannot import, saying how to move it into a module. */
export function flowNotInModule(flowName: string): FlowNotInModuleError {
  return new FlowNotInModuleError(
    `Flow ${flowName} is not defined in a module file, so worker processes cannot load it (a class defined in a ` +
      `notebook cell exists only in this kernel). Move it into a file: put the cell's code in a cell that starts with ` +
      `\`%%writefile ${flowName.toLowerCase()}.ts\` (export the class, import what it uses), run that cell, then ` +
      `\`import { ${flowName} } from "./${flowName.toLowerCase()}"\` and run it again. Or run it in-process (no executor option).`,
  );
}

/** An error as plain data. */
export function plainError(error: Error): PlainError {
  return { name: error.name, message: error.message, ...(error.stack === undefined ? {} : { stack: error.stack }) };
}

/** An Error rebuilt from plain data, of the flow's or the language's error class of that name when there is one. */
export function errorFromPlain(plain: PlainError): Error {
  const error = new Error(plain.message);
  const known = (flowErrors as Record<string, unknown>)[plain.name] ?? (globalThis as Record<string, unknown>)[plain.name];
  if (typeof known === "function" && known.prototype instanceof Error) Object.setPrototypeOf(error, known.prototype as object);
  Object.defineProperty(error, "name", { value: plain.name, writable: true, configurable: true });
  error.stack = plain.stack ?? `${plain.name}: ${plain.message}`;
  return error;
}

function plainTransition(transition: ChosenTransition): NonNullable<TaskResult["transition"]> {
  const { targets, foreachVar, elements, switchValue } = transition;
  return {
    targets,
    foreachVar,
    ...(elements ? { elements: elements.map(foreachValueLabel) } : {}),
    ...(switchValue === undefined ? {} : { switchValue }),
  };
}

/** The plain form of an attempt's result. */
export function taskResultOf(result: AttemptResult, output: TaskResult["output"]): TaskResult {
  return {
    status: result.caught ? "caught" : result.ok ? "ok" : "failed",
    ...(result.error ? { error: plainError(result.error) } : {}),
    ...(result.retry ? { retry: result.retry } : {}),
    ...(result.transition ? { transition: plainTransition(result.transition) } : {}),
    artifacts: result.artifacts,
    output,
  };
}

/** The scheduler's form of a plain result. */
export function attemptResultOf(result: TaskResult): AttemptResult {
  return {
    ok: result.status !== "failed",
    caught: result.status === "caught",
    error: result.error ? errorFromPlain(result.error) : undefined,
    transition: result.transition ? { ...result.transition } : undefined,
    artifacts: result.artifacts,
    retry: result.retry,
  };
}
