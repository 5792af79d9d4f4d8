/**
 * The executor flags of `%flow run`, the same as `wbflow run`'s: `--executor in-process|processes|bullmq`,
 * `--max-workers N`, `--max-num-splits N`, and for bullmq `--redis URL` (default `$WBFLOW_REDIS_URL`, which keeps a password
 * out of the notebook), `--queue NAME` and `--package-suffixes LIST`.
 */
import type { RunOptions } from "../../flow/runtime/run-options.js";
import { REDIS_URL_ENV, RedisUrlError, redisUrlFrom } from "../../flow/executors/bullmq/redis-url.js";
import { checkPackageSuffixes } from "../../flow/datastore/code-package/suffix-files.js";
import { CodePackageError } from "../../flow/datastore/code-package/errors.js";
import type { OptionSpec } from "./magic-arguments.js";
import { MagicUsageError } from "./notice.js";

const EXECUTORS = ["in-process", "processes", "bullmq"] as const;
type ExecutorName = (typeof EXECUTORS)[number];

/** The options `%flow run` declares for them (shown by `%flow?`). */
export const EXECUTOR_OPTIONS: OptionSpec[] = [
  { long: "executor", help: "where tasks run: in-process (default), processes (worker processes) or bullmq (wbflow workers through Redis)", valueName: "NAME" },
  { long: "max-workers", help: "most tasks running at once", valueName: "N" },
  { long: "max-num-splits", help: "most splits one foreach may produce (default 100)", valueName: "N" },
  { long: "redis", help: `bullmq: the workers' Redis (default $${REDIS_URL_ENV}, which keeps a password out of the notebook)`, valueName: "URL" },
  { long: "queue", help: "bullmq: the queue the workers take tasks from (default wbflow)", valueName: "NAME" },
  { long: "package-suffixes", help: "bullmq: also package the files under the flow's folder ending in these (e.g. .json,.csv)", valueName: "LIST" },
];

function isExecutorName(name: unknown): name is ExecutorName {
  return (EXECUTORS as readonly unknown[]).includes(name);
}

/** The run options those flags ask for (of `%flow run`, or `resume`); `env` gives `$WBFLOW_REDIS_URL` when `--redis` is not given. */
export function executorRunOptions(options: Record<string, string | true>, env: NodeJS.ProcessEnv, verb: "run" | "resume" = "run"): RunOptions {
  const { executor, queue } = options;
  if (executor !== undefined && !isExecutorName(executor)) {
    throw new MagicUsageError(`%flow ${verb} --executor is in-process, processes or bullmq; got ${String(executor)}.`);
  }
  const maxWorkers = positiveInteger(options, "max-workers", verb);
  const maxNumSplits = positiveInteger(options, "max-num-splits", verb);
  const redis = executor === "bullmq" ? bullmqRedisUrl(options, env, verb) : undefined;
  const packageSuffixes = options["package-suffixes"] === undefined ? undefined : suffixList(options["package-suffixes"], executor, verb);
  return {
    ...(packageSuffixes === undefined ? {} : { packageSuffixes }),
    ...(executor === undefined ? {} : { executor }),
    ...(maxWorkers === undefined ? {} : { maxWorkers }),
    ...(maxNumSplits === undefined ? {} : { maxNumSplits }),
    ...(redis === undefined ? {} : { redis }),
    ...(typeof queue === "string" ? { queue } : {}),
  };
}

/** The value of option `name` (`--max-workers N`), a whole number >= 1, if given. */
function positiveInteger(options: Record<string, string | true>, name: string, verb: string): number | undefined {
  if (options[name] === undefined) return undefined;
  const value = Number(options[name]);
  if (!(Number.isInteger(value) && value >= 1)) throw new MagicUsageError(`%flow ${verb} --${name} needs a whole number >= 1; got ${String(options[name])}.`);
  return value;
}

/** `--package-suffixes .json,.csv`, for bullmq only. */
function suffixList(value: string | true, executor: string | true | undefined, verb: string): string[] {
  if (executor !== "bullmq") throw new MagicUsageError(`%flow ${verb} --package-suffixes is for --executor bullmq (workers elsewhere); other executors read files where they are.`);
  const suffixes = typeof value === "string" ? value.split(",").filter((suffix) => suffix !== "") : [];
  if (suffixes.length === 0) throw new MagicUsageError(`%flow ${verb} --package-suffixes needs file endings, e.g. .json,.csv.`);
  try {
    return [...checkPackageSuffixes(suffixes)];
  } catch (error) {
    if (error instanceof CodePackageError) throw new MagicUsageError(`%flow ${verb}: ${error.message}`);
    throw error;
  }
}

/** `--redis`, else `$WBFLOW_REDIS_URL`, checked before the run starts (messages show it masked). */
function bullmqRedisUrl(options: Record<string, string | true>, env: NodeJS.ProcessEnv, verb: string): string {
  const given = typeof options.redis === "string" ? options.redis : undefined;
  try {
    return redisUrlFrom(given, env, `--executor bullmq needs the workers' Redis: give --redis URL, or set $${REDIS_URL_ENV} in the kernel's environment.`);
  } catch (error) {
    if (error instanceof RedisUrlError) throw new MagicUsageError(`%flow ${verb}: ${error.message}`);
    throw error;
  }
}
