/** `wbflow <command> [args]`: the command-line entry point. Commands live in src/cli/. */
import { CliUsageError, type CliCommand } from "./cli/command.js";
import { installCommand } from "./cli/install.js";
import { kernelCommand } from "./cli/kernel.js";
import { runCommand } from "./cli/run.js";
import { loginCommand } from "./cli/login.js";
import { logoutCommand } from "./cli/logout.js";
import { statusCommand } from "./cli/status.js";
import { syncCommand } from "./cli/sync.js";
import { resumeCommand } from "./cli/resume.js";
import { showCommand } from "./cli/show.js";
import { checkCommand } from "./cli/check.js";
import { runsCommand } from "./cli/runs.js";
import { logsCommand } from "./cli/logs.js";
import { dumpCommand } from "./cli/dump.js";
import { tagCommand } from "./cli/tag.js";
import { exitCodeOf } from "./cli/exit-codes.js";

const commands: CliCommand[] = [
  // Each issue's commands are added here, one import per file in src/cli/.
  installCommand,
  kernelCommand,
  runCommand,
  resumeCommand,
  showCommand,
  checkCommand,
  runsCommand,
  logsCommand,
  dumpCommand,
  tagCommand,
  loginCommand,
  logoutCommand,
  statusCommand,
  syncCommand,
];

function help(): string {
  const width = Math.max(0, ...commands.map((c) => c.name.length));
  return [
    "Usage: wbflow <command> [options]",
    "",
    "Commands:",
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    "",
    "Run `wbflow <command> --help` for a command's options.",
  ].join("\n");
}

/** Runs the CLI with `argv` (without node and the script path) and returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    console.log(help());
    return name === undefined ? 2 : 0;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    console.error(`wbflow: unknown command '${name}'.\n\n${help()}`);
    return 2;
  }
  if (!command.handlesHelp && (args.includes("--help") || args.includes("-h"))) {
    console.log(command.usage);
    return 0;
  }
  try {
    return await command.run(args);
  } catch (error) {
    if (error instanceof CliUsageError) {
      console.error(`wbflow ${name}: ${error.message}\n\n${command.usage}`);
      return 2;
    }
    // Expected failures (not found, lint, bad input) are one line with what to do, not a stack.
    const code = exitCodeOf(error);
    if (code === undefined) throw error;
    console.error(`wbflow ${name}: ${(error as Error).message}`);
    return code;
  }
}
