/**
 * The one harness for driving the real `wbflow` CLI in a child process (from source, through
 * `node --import tsx`): plain pipes, a real pseudo-terminal, and flow files written for it.
 */
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import path from "node:path";

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

const repo = path.join(import.meta.dirname, "..", "..");
const entry = path.join(import.meta.dirname, "cli-entry.ts");

/** Options of `runCli`. */
export interface CliRunOptions {
  /** Working folder (default: the repository). */
  cwd?: string;
  /** Text given on standard input. */
  stdin?: string;
  /** Keep the test runner's whole environment (default: only PATH plus `env`). */
  inheritEnv?: boolean;
}

/** Runs `wbflow ARGS` with exactly `env` (plus PATH) and returns its exit code and output. */
export function runCli(args: string[], env: Record<string, string> = {}, stdinOrOptions: string | CliRunOptions = ""): Promise<CliResult> {
  const options = typeof stdinOrOptions === "string" ? { stdin: stdinOrOptions } : stdinOrOptions;
  return runTypeScript(entry, args, env, options);
}

/** Runs a TypeScript file in a child `node --import tsx` with exactly `env` (plus PATH) and returns its exit code and output. */
export function runTypeScript(file: string, args: string[], env: Record<string, string>, options: CliRunOptions = {}): Promise<CliResult> {
  return runNode(["--import", "tsx", file, ...args], env, options);
}

/**
 * Runs the built command (bin/wbflow.js, as `npx wbflow` does: no tsx hooks of the test's) in `cwd`,
 * with only PATH and HOME=`cwd` in its environment.
 */
export function runBuiltCli(args: string[], cwd: string): Promise<CliResult> {
  return runNode([path.join(repo, "bin", "wbflow.js"), ...args], { HOME: cwd }, { cwd });
}

function runNode(nodeArgs: string[], env: Record<string, string>, options: CliRunOptions): Promise<CliResult> {
  const base = options.inheritEnv ? { ...process.env, WBFLOW_DATASTORE: "" } : { PATH: process.env["PATH"] ?? "" };
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, nodeArgs, { env: { ...base, ...env }, cwd: options.cwd ?? repo });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.stdin ?? "");
  });
}

/**
 * Writes a flow file into a fresh folder under test-output/ (inside the repository, so its bare
 * imports such as "arquero" resolve); `from "wbflow"` points at this repository's source.
 */
export function writeFlowFile(name: string, text: string): { dir: string; file: string } {
  const parent = path.join(repo, "test-output");
  mkdirSync(parent, { recursive: true });
  const dir = mkdtempSync(path.join(parent, "cli-"));
  const file = path.join(dir, name);
  writeFileSync(file, text.replaceAll(`from "wbflow"`, `from ${JSON.stringify(path.join(repo, "src/index.ts"))}`));
  return { dir, file };
}

/**
 * Runs the CLI on a real pseudo-terminal (util-linux `script`). With `reply`, types its answer once
 * its prompt appears, as a person would; without, gives no input. Returns everything shown.
 */
function runOnTerminal(
  args: string[],
  env: Record<string, string>,
  reply?: { promptText: string; answer: string },
): Promise<CliResult> {
  const command = [process.execPath, "--import", "tsx", entry, ...args].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(" ");
  return new Promise((resolve, reject) => {
    const child = spawn("script", ["-qec", command, "/dev/null"], {
      env: { PATH: process.env["PATH"] ?? "", TERM: "dumb", ...env },
      cwd: repo,
    });
    let stdout = "";
    let typed = false;
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
      if (reply && !typed && stdout.includes(reply.promptText)) {
        typed = true;
        // At once, as a paste would: the CLI switches echo off before it shows the prompt, so no wait is needed.
        child.stdin.write(`${reply.answer}\r`);
      }
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr: "" }));
    if (!reply) child.stdin.end();
  });
}

/** Runs the CLI on a real pseudo-terminal and types `answer` once `promptText` appears. */
export function runCliInTerminal(args: string[], env: Record<string, string>, promptText: string, answer: string): Promise<CliResult> {
  return runOnTerminal(args, env, { promptText, answer });
}

/** Runs the CLI on a real pseudo-terminal with no input; returns what it showed. */
export function runCliOnTerminal(args: string[], env: Record<string, string>): Promise<CliResult> {
  return runOnTerminal(args, env);
}
