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
 * Runs the CLI on a real pseudo-terminal (through util-linux `script`) and types `answer` once
 * `promptText` appears, as a person would. Returns everything the terminal showed.
 */
export function runCliInTerminal(args: string[], env: Record<string, string>, promptText: string, answer: string): Promise<CliResult> {
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
      if (!typed && stdout.includes(promptText)) {
        typed = true;
        // A moment later, as a person would type: by then the prompt has switched echo off.
        setTimeout(() => child.stdin.write(`${answer}\r`), 200);
      }
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr: "" }));
  });
}

/** Runs the CLI on a real pseudo-terminal (util-linux `script`) with no input; returns what it showed. */
export function runCliOnTerminal(args: string[], env: Record<string, string>): Promise<CliResult> {
  const command = [process.execPath, "--import", "tsx", entry, ...args].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(" ");
  return new Promise((resolve, reject) => {
    const child = spawn("script", ["-qec", command, "/dev/null"], {
      env: { PATH: process.env["PATH"] ?? "", TERM: "dumb", ...env },
      cwd: path.join(import.meta.dirname, "..", ".."),
    });
    let stdout = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr: "" }));
    child.stdin.end();
  });
}
