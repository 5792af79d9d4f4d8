/**
 * Runs several actions in one Node process, as a notebook kernel or a script does across its runs, so
 * the `processes` executor's shared worker pool is used by more than one run. After each run prints
 * `RESULT {json}` (the run, and `workers`: the pids of this process's live worker processes); ends with
 * `DONE` and exits by itself (a pool left holding the process would hang here), or with `WAITING` and
 * stays alive until killed (`{ "wait": true }`, as a kernel does).
 * Usage: node --import tsx pool-driver.ts FILE DATASTORE ACTIONS_JSON
 */
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { Datastore } from "wbflow";
import { runSummary } from "./run-summary.js";

/** One thing the driver does. */
export type PoolAction =
  | { run: string; executor: string; maxWorkers: number; params?: object }
  | { resume: string; origin: number; executor: string; maxWorkers: number }
  | { write: string; source: string }
  | { remove: string }
  /** Sets (a string) or unsets (null) variables of this process's environment, as a notebook cell may between runs. */
  | { env: Record<string, string | null> }
  /** Changes this process's working folder, as `process.chdir` in a notebook cell does between runs. */
  | { chdir: string }
  /** SIGINT to this process's group, as Jupyter interrupts a kernel (this process must lead its group: spawn it detached). */
  | { interruptGroup: true }
  | { wait: true };

/** Pids of this process's live worker processes (children running worker-main; tsx's esbuild is a child too). */
function childPids(): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const [state, ppid] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      const worker = readFileSync(`/proc/${entry}/cmdline`, "utf8").includes("worker-main.js");
      if (Number(ppid) === process.pid && state !== "Z" && worker) pids.push(Number(entry));
    } catch {
      // gone
    }
  }
  return pids.sort((a, b) => a - b);
}

/** Sends SIGINT to this process's group (it handles the signal, as a kernel does) and gives the others a moment. */
async function interruptOwnGroup(): Promise<void> {
  const stat = readFileSync("/proc/self/stat", "utf8");
  const group = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[2]);
  if (group !== process.pid) throw new Error("interruptGroup needs the driver to lead its process group (spawn it detached)");
  process.on("SIGINT", () => undefined);
  process.kill(0, "SIGINT");
  await new Promise((resolve) => setTimeout(resolve, 500));
}

const [file, root, actionsJson] = process.argv.slice(2) as [string, string, string];
const module = (await import(pathToFileURL(file).href)) as Record<string, any>;
const datastore = new Datastore({ root });
const runIds: string[] = [];
for (const action of JSON.parse(actionsJson) as PoolAction[]) {
  if ("write" in action) writeFileSync(action.write, action.source);
  else if ("remove" in action) rmSync(action.remove, { force: true });
  else if ("env" in action) {
    for (const [name, value] of Object.entries(action.env)) {
      if (value === null) delete process.env[name];
      else process.env[name] = value;
    }
  }
  else if ("chdir" in action) process.chdir(action.chdir);
  else if ("interruptGroup" in action) await interruptOwnGroup();
  else if ("wait" in action) {
    process.stdout.write(`WAITING ${JSON.stringify(childPids())}\n`);
    setInterval(() => undefined, 1000);
  } else {
    const options = { datastore, executor: action.executor, maxWorkers: action.maxWorkers, throwOnFailure: false };
    const run =
      "run" in action
        ? await module[action.run].run(action.params ?? {}, options)
        : await module[action.resume].resume({ ...options, originRunId: runIds[action.origin] });
    runIds.push(run.runId);
    process.stdout.write(`RESULT ${JSON.stringify({ ...runSummary(run), workers: childPids() })}\n`);
  }
}
if (!JSON.parse(actionsJson).some((a: PoolAction) => "wait" in a)) process.stdout.write("DONE\n");
