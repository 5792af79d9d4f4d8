/**
 * `npm run quickstart`: executes notebooks/quickstart.ipynb through a real Jupyter server, the way a
 * user's notebook would run, streaming its outputs here and saving the executed notebook.
 *
 * 1. checks for Jupyter (installs Debian's packages when running as root with apt-get, otherwise says how);
 * 2. builds wbflow (dist/) and installs the kernel spec into ./.jupyter-prefix (nothing global);
 * 3. starts `jupyter server` on 127.0.0.1 with a random token and runs every cell with @jupyterlab/services;
 * 4. writes notebooks/quickstart.executed.ipynb.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { installKernelspec } from "../src/kernel/jupyter/kernelspec-install.js";
import { quickstartClosingLine } from "./quickstart-closing.js";
import {
  JUPYTER_DEBIAN_PACKAGES,
  JupyterUnavailableError,
  requireJupyterServer,
  startJupyterServer,
} from "./jupyter-client/jupyter-server-process.js";
import { readNotebook, writeNotebook, type NotebookOutput } from "./jupyter-client/notebook-file.js";
import { NotebookCellError, runNotebook } from "./jupyter-client/notebook-runner.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const notebookFile = path.join(root, "notebooks", "quickstart.ipynb");
const executedFile = path.join(root, "notebooks", "quickstart.executed.ipynb");
const prefix = path.join(root, ".jupyter-prefix");

// @jupyterlab/services reports its connection chatter ("Starting WebSocket", "Kernel: dead") through
// console.debug; it says nothing the user needs here, so it is shown only with WBFLOW_DEBUG set.
if (!process.env.WBFLOW_DEBUG) console.debug = () => {};

function say(line: string): void {
  process.stdout.write(`\x1b[1m==> ${line}\x1b[0m\n`);
}

function ensureJupyter(): string {
  try {
    return requireJupyterServer();
  } catch (error) {
    if (!(error instanceof JupyterUnavailableError)) throw error;
    const canInstall = process.getuid?.() === 0 && spawnSync("apt-get", ["--version"], { stdio: "ignore" }).status === 0;
    if (!canInstall) throw error;
    say(`Installing Jupyter from Debian's packages: ${JUPYTER_DEBIAN_PACKAGES.join(" ")}`);
    execFileSync("apt-get", ["update"], { stdio: "inherit" });
    execFileSync("apt-get", ["install", "-y", "--no-install-recommends", ...JUPYTER_DEBIAN_PACKAGES], {
      stdio: "inherit",
      env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
    });
    return requireJupyterServer();
  }
}

/** The text a terminal can show for an output: plain text, stream text, or the error. */
function terminalText(output: NotebookOutput | { output_type: "update_display_data" }): string | undefined {
  switch (output.output_type) {
    case "stream":
      return output.text;
    case "error":
      return `${output.ename}: ${output.evalue}\n`;
    case "display_data":
    case "execute_result": {
      const text = output.data["text/plain"];
      return typeof text === "string" ? `${text}\n` : undefined;
    }
    default:
      return undefined; // Live-display updates: the terminal shows the final state once it is displayed again.
  }
}

async function main(): Promise<number> {
  say(`Jupyter: jupyter server ${ensureJupyter()}`);
  say("Building wbflow (npm run build)");
  const build = spawnSync("npm", ["run", "build"], { cwd: root, stdio: "inherit" });
  if (build.status !== 0 || !existsSync(path.join(root, "dist", "kernel", "jupyter", "start-kernel.js"))) {
    process.stderr.write("The build failed; fix the TypeScript errors above and run `npm run quickstart` again.\n");
    return 1;
  }
  const spec = installKernelspec({ kind: "prefix", prefix });
  say(`Kernel spec "TypeScript (wbflow)" installed in ${path.relative(root, spec)}`);
  const env = { ...process.env, JUPYTER_PATH: path.join(prefix, "share", "jupyter") };
  const server = await startJupyterServer({ rootDir: path.dirname(notebookFile), env });
  say(`jupyter server listening on ${server.baseUrl} (token auth, loopback only)`);
  try {
    const executed = await runNotebook(readNotebook(notebookFile), {
      baseUrl: server.baseUrl,
      token: server.token,
      onCell: (index, source) => say(`cell ${index + 1}: ${source.split("\n").find((l) => l.trim() && !l.trim().startsWith("//"))?.trim() ?? ""}`),
      onOutput: (_index, output) => {
        const text = terminalText(output);
        if (text) process.stdout.write(text);
      },
    });
    writeNotebook(executedFile, executed);
    say(await quickstartClosingLine(root, executedFile, path.dirname(notebookFile), env));
    return 0;
  } catch (error) {
    if (error instanceof NotebookCellError) {
      writeNotebook(executedFile, error.notebook);
      process.stderr.write(`${error.message}\nThe notebook up to the failure is in ${path.relative(root, executedFile)}.\n`);
      return 1;
    }
    throw error;
  } finally {
    await server.stop();
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
