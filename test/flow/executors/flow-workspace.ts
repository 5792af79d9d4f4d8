/** A temporary folder holding flow files that `import ... from "wbflow"` (this package's build), and running them. */
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Datastore } from "../../../src/flow/datastore/datastore.js";

const REPO = fileURLToPath(new URL("../../../", import.meta.url));
const DRIVER = fileURLToPath(new URL("./run-driver.ts", import.meta.url));

/** What the driver reports about a run. */
export interface DrivenRun {
  flowName: string;
  runId: string;
  successful: boolean;
  error?: { name: string; message: string; cause?: { name: string; message: string } };
  tasks: Array<{ stepName: string; taskId: string; pathspecIndex: string; ok: boolean; attempts: number; artifacts: Record<string, any>; error?: { name: string; message: string } }>;
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
