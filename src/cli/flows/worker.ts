/**
 * `wbflow worker --redis URL [--concurrency N] [--queue NAME]`: takes task jobs of `bullmq` runs from
 * Redis and runs them until stopped. SIGTERM (or Ctrl-C) stops taking jobs and lets the running
 * ones finish; a second signal exits at once (their jobs then run again on another worker).
 */
import path from "node:path";
import { startClusterWorker } from "../../flow/executors/bullmq/cluster-worker.js";
import { DEFAULT_QUEUE } from "../../flow/executors/bullmq/job-data.js";
import { maskRedisUrl, REDIS_URL_ENV, RedisUrlError, redisUrlFrom } from "../../flow/executors/bullmq/redis-url.js";
import { WBFLOW_VERSION } from "../../flow/datastore/code-package/wbflow-version.js";
import { CliUsageError, type CliCommand } from "../command.js";

const usage = `Usage: wbflow worker [--redis URL] [options]

Runs tasks of flows started with --executor bullmq, taken from a BullMQ queue in Redis, until
stopped. SIGTERM or Ctrl-C lets the running tasks finish, then exits; a second one exits at once.
Every worker must see the run's datastore (shared storage) and have the same wbflow version and the
npm packages the flow imports installed (run it from the flow project's folder).

Options:
  --redis URL           Redis to take jobs from (default $${REDIS_URL_ENV}; prefer the variable when the
                        URL has a password, so it does not show in the process list)
  --concurrency N       tasks run at once (default 1)
  --queue NAME          queue name (default ${DEFAULT_QUEUE}; the run's --queue must match)
  --datastore DIR       where this machine mounts the shared datastore (default: the run's path)
  --code-cache DIR      where run code is unpacked (default ./.wbflow-code; npm imports resolve from here)
  --lock-duration MS    a dead worker's tasks run again after about twice this (default 30000)`;

interface WorkerArgs {
  redisUrl: string;
  concurrency: number;
  queue: string;
  datastore: string | undefined;
  codeCache: string;
  lockDurationMs: number | undefined;
}

function wholeNumber(flag: string, text: string | undefined, min: number): number {
  const value = Number(text);
  if (text === undefined || !Number.isInteger(value) || value < min) throw new CliUsageError(`${flag} needs a whole number >= ${min}; got ${text ?? "nothing"}.`);
  return value;
}

/** Parses the arguments after `worker`. Exported for tests. */
export function parseWorkerArgs(args: string[], env: NodeJS.ProcessEnv = process.env): WorkerArgs {
  const values = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const [flag, inline] = arg.includes("=") ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)] : [arg, undefined];
    if (!["--redis", "--concurrency", "--queue", "--datastore", "--code-cache", "--lock-duration"].includes(flag)) {
      throw new CliUsageError(`Unknown argument '${flag.startsWith("--") ? flag : maskRedisUrl(flag)}'.`);
    }
    const value = inline ?? args[++i];
    if (value === undefined || value.startsWith("--")) throw new CliUsageError(`${flag} needs a value.`);
    values.set(flag, value);
  }
  const redisUrl = redisUrlFrom(values.get("--redis"), env, `Give the Redis URL with --redis URL or $${REDIS_URL_ENV}.`);
  const queue = values.get("--queue") ?? DEFAULT_QUEUE;
  if (!/^[\w.-]+$/.test(queue)) throw new CliUsageError(`--queue must be letters, digits, '.', '_' or '-'; got ${JSON.stringify(queue)}.`);
  const lock = values.get("--lock-duration");
  return {
    redisUrl,
    concurrency: values.has("--concurrency") ? wholeNumber("--concurrency", values.get("--concurrency"), 1) : 1,
    queue,
    datastore: values.get("--datastore"),
    codeCache: path.resolve(values.get("--code-cache") ?? ".wbflow-code"),
    lockDurationMs: lock === undefined ? undefined : wholeNumber("--lock-duration", lock, 1000),
  };
}

function log(line: string): void {
  console.log(`${new Date().toISOString()} ${line}`);
}

async function run(args: string[]): Promise<number> {
  let parsed: WorkerArgs;
  try {
    parsed = parseWorkerArgs(args);
  } catch (error) {
    if (error instanceof RedisUrlError) throw new CliUsageError(error.message);
    throw error;
  }
  const worker = startClusterWorker({
    redisUrl: parsed.redisUrl,
    queue: parsed.queue,
    concurrency: parsed.concurrency,
    ...(parsed.lockDurationMs === undefined ? {} : { lockDurationMs: parsed.lockDurationMs }),
    codeCacheDir: parsed.codeCache,
    ...(parsed.datastore === undefined ? {} : { datastoreRoot: path.resolve(parsed.datastore) }),
    log,
  });
  const stopped = new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) {
        log(`${signal} again: exiting now; ${worker.active} running task(s) will run again on another worker.`);
        process.exit(130);
      }
      stopping = true;
      log(`${signal}: taking no more tasks; finishing ${worker.active} running task(s).`);
      worker.close().then(resolve, resolve);
    };
    process.on("SIGTERM", stop);
    process.on("SIGINT", stop);
  });
  await worker.ready;
  log(
    `wbflow ${WBFLOW_VERSION} worker (pid ${process.pid}) taking tasks from queue '${parsed.queue}' at ` +
      `${maskRedisUrl(parsed.redisUrl)}, ${parsed.concurrency} at a time.`,
  );
  await stopped;
  log("Stopped.");
  return 0;
}

/** The `wbflow worker` command. */
export const workerCommand: CliCommand = {
  name: "worker",
  summary: "run tasks of bullmq-executor runs taken from Redis, until stopped",
  usage,
  run,
};
