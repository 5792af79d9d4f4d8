/** A temporary folder holding flow files that `import ... from "wbflow"` (this package's build), and running them. */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Datastore } from "../../../src/flow/datastore/datastore.js";

const REPO = fileURLToPath(new URL("../../../", import.meta.url));
const DRIVER = fileURLToPath(new URL("./run-driver.ts", import.meta.url));
const POOL_DRIVER = fileURLToPath(new URL("./pool-driver.ts", import.meta.url));

/** What the driver reports about a run. */
export interface DrivenRun {
  flowName: string;
  runId: string;
  successful: boolean;
  error?: { name: string; message: string; cause?: { name: string; message: string } };
  tasks: Array<{ stepName: string; taskId: string; pathspecIndex: string; ok: boolean; attempts: number; cloned: boolean; artifacts: Record<string, any>; error?: { name: string; message: string } }>;
  /** The driver's own output (the tasks' output printed live, among others). */
  stdout: string;
  stderr: string;
  /** The datastore the run wrote, read with this repository's code. */
  datastore: Datastore;
}

/** A folder where `import "wbflow"` resolves to this repository (its dist/). */
export function flowWorkspace(options: { installWbflow?: boolean } = {}): { dir: string; write(name: string, source: string): string } {
  const dir = mkdtempSync(path.join(tmpdir(), "wbflow-exec-"));
  mkdirSync(path.join(dir, "node_modules"));
  if (options.installWbflow !== false) symlinkSync(REPO, path.join(dir, "node_modules", "wbflow"));
  symlinkSync(path.join(REPO, "node_modules", "arquero"), path.join(dir, "node_modules", "arquero"));
  // ES modules, as a TypeScript project usually is. (A CommonJS .ts also works when wbflow is installed in
  // node_modules; through this symlink tsx would compile a second CommonJS copy of wbflow's build.)
  writeFileSync(path.join(dir, "package.json"), JSON.stringify({ type: "module" }));
  return {
    dir,
    write(name, source) {
      const file = path.join(dir, name);
      writeFileSync(file, source);
      return file;
    },
  };
}

/** Runs FLOW of FILE in a fresh Node process with the given executor; `mark` is put in its environment (and so its workers'). */
export function driveRun(file: string, flow: string, options: { executor: string; maxWorkers: number; params?: object; mark?: string; datastore?: string; env?: NodeJS.ProcessEnv }): Promise<DrivenRun> {
  const root = options.datastore ?? mkdtempSync(path.join(tmpdir(), "wbflow-exec-store-"));
  const args = ["--import", "tsx", DRIVER, file, flow, root, options.executor, String(options.maxWorkers), JSON.stringify(options.params ?? {})];
  const child = spawn(process.execPath, args, { cwd: REPO, env: { ...process.env, ...options.env, WBFLOW_TEST_MARK: options.mark ?? "" } });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk) => (stdout += chunk));
  child.stderr.on("data", (chunk) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    child.on("close", (code) => {
      const line = stdout.split("\n").find((l) => l.startsWith("RESULT "));
      if (!line) return reject(new Error(`the driver exited with ${String(code)} and no result:\n${stdout}\n${stderr}`));
      resolve({ ...JSON.parse(line.slice(7)), stdout, stderr, datastore: new Datastore({ root }) });
    });
  });
}

/** A run done by the pool driver, with the pids of the driver's live worker processes after it. */
export type PoolDrivenRun = DrivenRun & { workers: number[] };

/** A pool driver process (pool-driver.ts) doing several runs in one process, as a kernel or a script does. */
export interface PoolDriver {
  child: ChildProcess;
  /** Resolves with the driver's child pids once it prints WAITING (a `{ wait: true }` action). */
  waiting: Promise<number[]>;
  /** Resolves once the driver exits by itself. */
  exited: Promise<{ code: number | null; runs: PoolDrivenRun[]; stdout: string; stderr: string }>;
}

/** Starts the pool driver on FILE with these actions (see PoolAction in pool-driver.ts). */
export function drivePool(file: string, actions: object[], options: { mark: string; datastore?: string; env?: NodeJS.ProcessEnv; detached?: boolean }): PoolDriver {
  const root = options.datastore ?? mkdtempSync(path.join(tmpdir(), "wbflow-exec-store-"));
  const child = spawn(process.execPath, ["--import", "tsx", POOL_DRIVER, file, root, JSON.stringify(actions)], {
    cwd: REPO,
    env: { ...process.env, ...options.env, WBFLOW_TEST_MARK: options.mark },
    detached: options.detached === true, // its own process group, e.g. to signal the whole group
  });
  let stdout = "";
  let stderr = "";
  let onWaiting: (pids: number[]) => void = () => undefined;
  const waiting = new Promise<number[]>((resolve) => (onWaiting = resolve));
  child.stdout.on("data", (chunk) => {
    stdout += chunk;
    const line = stdout.split("\n").find((l) => l.startsWith("WAITING "));
    if (line) onWaiting(JSON.parse(line.slice(8)));
  });
  child.stderr.on("data", (chunk) => (stderr += chunk));
  const exited = new Promise<{ code: number | null; runs: PoolDrivenRun[]; stdout: string; stderr: string }>((resolve) => {
    child.on("close", (code) => {
      const runs = stdout
        .split("\n")
        .filter((l) => l.startsWith("RESULT "))
        .map((l) => ({ ...JSON.parse(l.slice(7)), datastore: new Datastore({ root }), stdout: "", stderr: "" }));
      resolve({ code, runs, stdout, stderr });
    });
  });
  return { child, waiting, exited };
}

/**
 * Resolves once no live process carries the mark; rejects with their pids after `ms`. Processes ended a
 * moment ago may take a while to go on a loaded machine: tsx's esbuild service process, for one, exits
 * only once it notices its parent is gone. A process really left behind outlives `ms` by far.
 */
export async function noneMarkedWithin(mark: string, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    const left = processesMarked(mark);
    if (left.length === 0) return;
    if (Date.now() > deadline) throw new Error(`processes left behind: ${left.join(", ")}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Whether a process exists (a zombie not yet reaped counts). */
export function isAlive(pid: number): boolean {
  return existsSync(`/proc/${pid}`);
}

/** Pids of live processes whose environment holds WBFLOW_TEST_MARK=mark. */
export function processesMarked(mark: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/environ`, "utf8").split("\0").includes(`WBFLOW_TEST_MARK=${mark}`)) found.push(Number(entry));
    } catch {
      // gone, or not ours to read
    }
  }
  return found;
}
