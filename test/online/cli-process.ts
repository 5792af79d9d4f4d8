/** Spawns the real CLI as a child process with a chosen environment and stdin. */
import { spawn } from "node:child_process";
import path from "node:path";

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

const entry = path.join(import.meta.dirname, "cli-entry.ts");

export function runCli(args: string[], env: Record<string, string>, stdin = ""): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", entry, ...args], {
      env: { PATH: process.env["PATH"] ?? "", ...env },
      cwd: path.join(import.meta.dirname, "..", ".."),
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
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
      cwd: path.join(import.meta.dirname, "..", ".."),
    });
    let stdout = "";
    let typed = false;
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
      if (reply && !typed && stdout.includes(reply.promptText)) {
        typed = true;
        // A moment later, as a person would type: by then the prompt has switched echo off.
        setTimeout(() => child.stdin.write(`${reply.answer}\r`), 200);
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
