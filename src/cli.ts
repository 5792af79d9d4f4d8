/** `wbflow <command> [args]`: the command-line entry point. Commands live in src/cli/. */
import { CliUsageError, type CliCommand } from "./cli/command.js";
import { ignoreClosedOutput } from "./cli/closed-output.js";
import { exitCodeOf } from "./cli/exit-codes.js";
import { fileSystemErrorMessage } from "./cli/file-system-error.js";

/** A command as `wbflow --help` lists it; its module loads only when it runs. */
interface CommandEntry {
  name: string;
  summary: string;
  load(): Promise<CliCommand>;
}

function lazy(name: string, summary: string, load: () => Promise<CliCommand>): CommandEntry {
  return { name, summary, load };
}

// Each command's module (and what it imports: the W&B client, the kernel, Graphviz, Parquet) loads
// only when that command runs, so e.g. `wbflow run` starts without the others.
const commands: CommandEntry[] = [
  // Each issue's commands are added here, one line per file in src/cli/.
  lazy("install", "Install the TypeScript (wbflow) kernel for Jupyter", () => import("./cli/install.js").then((m) => m.installCommand)),
  lazy("kernel", "Start the Jupyter kernel (Jupyter runs this; see `wbflow install`)", () => import("./cli/kernel.js").then((m) => m.kernelCommand)),
  lazy("run", "Run a flow defined in a .ts or .js file", () => import("./cli/flows/run.js").then((m) => m.runCommand)),
  lazy("resume", "Resume a failed run of a flow: finished tasks are cloned, the rest run again", () => import("./cli/flows/resume.js").then((m) => m.resumeCommand)),
  lazy("show", "Print a flow's graph (or draw it as SVG)", () => import("./cli/flows/show.js").then((m) => m.showCommand)),
  lazy("check", "Check a flow's definition and graph", () => import("./cli/flows/check.js").then((m) => m.checkCommand)),
  lazy("runs", "List past runs with status, duration and tags", () => import("./cli/flows/runs.js").then((m) => m.runsCommand)),
  lazy("logs", "Print the captured output of a task, step or run", () => import("./cli/flows/logs.js").then((m) => m.logsCommand)),
  lazy("dump", "Print (or write to a file) the artifacts of a task", () => import("./cli/flows/dump.js").then((m) => m.dumpCommand)),
  lazy("spin", "Run one step again from a finished task's stored inputs", () => import("./cli/flows/spin.js").then((m) => m.spinCommand)),
  lazy("tag", "Add, remove or list the tags of a run", () => import("./cli/flows/tag.js").then((m) => m.tagCommand)),
  lazy("login", "Verify a W&B API key and save it in ~/.netrc", () => import("./cli/wandb/login.js").then((m) => m.loginCommand)),
  lazy("logout", "Remove the saved W&B API key from ~/.netrc", () => import("./cli/wandb/logout.js").then((m) => m.logoutCommand)),
  lazy("status", "Show the W&B server, mode, project, login and unsynced runs", () => import("./cli/wandb/status.js").then((m) => m.statusCommand)),
  lazy("sync", "Upload runs kept offline to the W&B server", () => import("./cli/wandb/sync.js").then((m) => m.syncCommand)),
  lazy("worker", "Run tasks of bullmq-executor runs taken from Redis, until stopped", () => import("./cli/flows/worker.js").then((m) => m.workerCommand)),
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
  ignoreClosedOutput();
  const [name, ...args] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    console.log(help());
    return name === undefined ? 2 : 0;
  }
  const entry = commands.find((c) => c.name === name);
  if (!entry) {
    console.error(`wbflow: unknown command '${name}'.\n\n${help()}`);
    return 2;
  }
  const command = await entry.load();
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
    const fileProblem = fileSystemErrorMessage(error);
    if (code === undefined && fileProblem !== undefined) {
      console.error(`wbflow ${name}: ${fileProblem}`);
      return 1;
    }
    if (code === undefined) throw error;
    console.error(`wbflow ${name}: ${(error as Error).message}`);
    return code;
  }
}
