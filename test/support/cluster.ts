/**
 * A local cluster for tests: a flow project folder whose `wbflow` is this repository (as an npm
 * install would link it), and real `wbflow worker` processes (bin/wbflow.js, the built dist/) that
 * take jobs from a test redis-server. Tests SIGKILL or SIGTERM them for real.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
export const WBFLOW_BIN = path.join(REPO, "bin", "wbflow.js");

/** A fresh project folder with `node_modules/wbflow` linked to this repository, and the given files. */
export function flowProject(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), "wbflow-cluster-"));
  mkdirSync(path.join(dir, "node_modules"));
  symlinkSync(REPO, path.join(dir, "node_modules", "wbflow"), "dir");
  writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "cluster-test-flows", type: "module", private: true }));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

/** A running `wbflow worker` process and everything it printed. */
export interface WorkerProcess {
  readonly child: ChildProcess;
  /** stdout and stderr so far. */
  output(): string;
  /** Resolves when the output matches. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
  /** Resolves with the exit code (or signal name) once it exited. */
  exited: Promise<number | string>;
}

/** Starts `wbflow worker` in `cwd` with the given arguments (the Redis URL among them or in env). */
export function startWorker(cwd: string, args: string[], env: NodeJS.ProcessEnv = {}): WorkerProcess {
  const child = spawn(process.execPath, [WBFLOW_BIN, "worker", ...args], {
    cwd,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const watched = watchOutput(child, "worker");
  const exited = new Promise<number | string>((resolve) => child.on("exit", (code, signal) => resolve(code ?? signal ?? "?")));
  const killOnExit = () => child.kill("SIGKILL");
  process.on("exit", killOnExit);
  void exited.then(() => process.off("exit", killOnExit));
  return { child, ...watched, exited };
}

/**
 * Gathers a child's stdout and stderr, and `waitFor(pattern)` resolving once they match (rejecting
 * with everything printed after `timeoutMs`). `label` names the process in that message.
 */
function watchOutput(child: ChildProcess, label: string): Pick<WorkerProcess, "output" | "waitFor"> {
  let text = "";
  const waiters = new Set<() => void>();
  const append = (chunk: Buffer) => {
    text += chunk.toString();
    for (const waiter of waiters) waiter();
  };
  child.stdout!.on("data", append);
  child.stderr!.on("data", append);
  return {
    output: () => text,
    waitFor(pattern, timeoutMs = 60_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (!pattern.test(text)) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`${label} output never matched ${pattern} within ${timeoutMs} ms:\n${text}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
  };
}

/** Stops workers that are still running (SIGKILL) and waits for them. */
export async function killWorkers(workers: WorkerProcess[]): Promise<void> {
  for (const worker of workers) if (worker.child.exitCode === null && worker.child.signalCode === null) worker.child.kill("SIGKILL");
  await Promise.all(workers.map((worker) => worker.exited));
}

/** What a runner process printed: its events, its result, everything. */
export interface RunnerOutcome {
  code: number | string;
  output: string;
  result: { successful: boolean; runId: string; error?: string } | undefined;
}

/** A runner process: `Flow.run` (or `resume`) with the bullmq executor, from test/support/cluster-runner.ts. */
export interface RunnerProcess {
  readonly child: ChildProcess;
  output(): string;
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
  done: Promise<RunnerOutcome>;
}

/**
 * Starts a runner in `project` for `flowName` of `file`: `mode` "run" with `params`, or "resume".
 * Options (as JSON) are passed to run/resume beside executor "bullmq" and the datastore `store`.
 */
export function startRunner(
  project: string,
  args: { file: string; flowName: string; mode: "run" | "resume"; store: string; params?: Record<string, unknown>; options?: Record<string, unknown> },
  env: NodeJS.ProcessEnv,
): RunnerProcess {
  const tsx = path.join(REPO, "node_modules", ".bin", "tsx");
  const runner = path.join(REPO, "test", "support", "cluster-runner.ts");
  const child = spawn(tsx, [runner, JSON.stringify(args)], { cwd: project, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  const watched = watchOutput(child, "runner");
  const killOnExit = () => child.kill("SIGKILL");
  process.on("exit", killOnExit);
  const done = new Promise<RunnerOutcome>((resolve) =>
    child.on("exit", (code, signal) => {
      process.off("exit", killOnExit);
      const text = watched.output();
      const line = /^RESULT (.*)$/m.exec(text)?.[1];
      resolve({ code: code ?? signal ?? "?", output: text, result: line ? JSON.parse(line) : undefined });
    }),
  );
  return { child, ...watched, done };
}
