/**
 * The one worker pool of this process, shared by all its runs with the `processes` executor (see
 * worker-pool.ts for the rules). Its workers are ended when this process is about to exit; they also exit
 * by themselves when it dies (their IPC channel closes), so a kernel shutdown or restart leaves none.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { WorkerPool } from "./worker-pool.js";

// The worker runs the package's build, the copy a flow module gets from `import ... from "wbflow"`
// (a second copy would have its own `current` and codec registry). Resolved from the package root,
// this is the same file whether this module runs from src/ or dist/.
const WORKER_SCRIPT = fileURLToPath(new URL("../../../../dist/flow/executors/processes/worker-main.js", import.meta.url));

/** How long idle workers wait for the next run when `WBFLOW_WORKER_IDLE_SECONDS` does not say. */
export const DEFAULT_WORKER_IDLE_SECONDS = 300;

let shared: WorkerPool | undefined;

function idleMsFromEnvironment(): number {
  const text = process.env.WBFLOW_WORKER_IDLE_SECONDS;
  if (text === undefined || text === "") return DEFAULT_WORKER_IDLE_SECONDS * 1000;
  const seconds = Number(text);
  if (!Number.isFinite(seconds) || seconds < 0) {
    throw new RangeError(`WBFLOW_WORKER_IDLE_SECONDS is ${JSON.stringify(text)}: set it to a number of seconds ≥ 0 (0 ends the workers when each run ends), or unset it for ${DEFAULT_WORKER_IDLE_SECONDS}.`);
  }
  return seconds * 1000;
}

/** This process's worker pool, created on first use. */
export function sharedWorkerPool(): WorkerPool {
  if (shared) return shared;
  if (!existsSync(WORKER_SCRIPT)) {
    throw new Error(`The processes executor needs wbflow's build (${WORKER_SCRIPT} is missing). Run \`npm run build\` in the wbflow package.`);
  }
  const pool = new WorkerPool(WORKER_SCRIPT, idleMsFromEnvironment());
  // A script's last run is done and only idle workers are left: end them and exit once they are gone.
  process.on("beforeExit", () => {
    if (pool.pids.length > 0) void pool.close();
  });
  process.once("exit", () => pool.killNow()); // process.exit() or an uncaught error: no time to wait
  shared = pool;
  return pool;
}

/**
 * Ends the worker processes kept for the next run with the `processes` executor now, instead of after
 * their idle time (`WBFLOW_WORKER_IDLE_SECONDS`, default 300 s). A run still going finishes the attempts
 * its workers are running (then they are ended); later runs start new workers.
 */
export async function closeWorkerPool(): Promise<void> {
  await shared?.retire();
}
