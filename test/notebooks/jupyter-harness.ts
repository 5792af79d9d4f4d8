/**
 * Test harness for real Jupyter: a throw-away HOME, working directory and kernel-spec prefix, the
 * built kernel installed into it, and helpers to run notebooks with nbconvert or `jupyter server`.
 */
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { KernelManager, type Kernel } from "@jupyterlab/services";
import { installKernelspec } from "../../src/kernel/jupyter/kernelspec-install.js";
import { startJupyterServer, type JupyterServer } from "../../scripts/jupyter-client/jupyter-server-process.js";
import { readNotebook, writeNotebook, type Notebook, type NotebookCell, type NotebookOutput } from "../../scripts/jupyter-client/notebook-file.js";
import { jupyterServerSettings, runNotebook, type RunNotebookOptions } from "../../scripts/jupyter-client/notebook-runner.js";

const execFileAsync = promisify(execFile);
const repoRoot = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..", "..");

/** An isolated place to run the kernel: never touches the real ~/.netrc, ~/.local or ./wandb. */
export class JupyterSandbox {
  readonly root = mkdtempSync(path.join(os.tmpdir(), "wbflow-jupyter-"));
  readonly home = path.join(this.root, "home");
  readonly work = path.join(this.root, "work");
  readonly prefix = path.join(this.root, "prefix");
  private server: JupyterServer | undefined;

  constructor(private readonly extraEnv: NodeJS.ProcessEnv = {}) {
    if (!existsSync(path.join(repoRoot, "dist", "kernel", "jupyter", "start-kernel.js"))) {
      throw new Error("dist/ is missing or stale: run `npm run build` before the notebook tests (npm ci does it).");
    }
    mkdirSync(this.home);
    mkdirSync(this.work);
    // Notebooks import the project's dependencies (arquero, ...) as a user's project would have them.
    symlinkSync(path.join(repoRoot, "node_modules"), path.join(this.work, "node_modules"));
    installKernelspec({ kind: "prefix", prefix: this.prefix });
  }

  /** Environment for Jupyter and the kernel. */
  get env(): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const key of Object.keys(env)) if (key.startsWith("WANDB_") || key === "NETRC") delete env[key];
    return {
      ...env,
      HOME: this.home,
      JUPYTER_PATH: path.join(this.prefix, "share", "jupyter"),
      JUPYTER_CONFIG_DIR: path.join(this.home, ".jupyter"),
      JUPYTER_DATA_DIR: path.join(this.home, ".local", "share", "jupyter"),
      JUPYTER_RUNTIME_DIR: path.join(this.root, "runtime"),
      ...this.extraEnv,
    };
  }

  /** Runs `notebook` with `jupyter nbconvert --execute` (no stdin) and returns the executed copy. */
  async nbconvert(notebook: Notebook, options: { allowErrors?: boolean; name?: string } = {}): Promise<Notebook> {
    const input = path.join(this.work, `${options.name ?? "nb"}.ipynb`);
    const output = path.join(this.work, `${options.name ?? "nb"}.out.ipynb`);
    writeNotebook(input, notebook);
    // nbclient's other bounds are short for a loaded machine: 60 s for the kernel to start, and 4 s after a
    // cell's reply for the rest of its output, past which it drops that output with only a warning.
    const patience = ["--ExecutePreprocessor.startup_timeout=300", "--ExecutePreprocessor.iopub_timeout=120"];
    const args = ["nbconvert", "--to", "notebook", "--execute", input, "--output", output, "--ExecutePreprocessor.timeout=300", ...patience];
    if (options.allowErrors) args.push("--allow-errors");
    try {
      await execFileAsync("jupyter", args, { cwd: this.work, env: this.env, maxBuffer: 64 * 1024 * 1024 });
    } catch (error) {
      const { stderr } = error as { stderr?: string };
      throw new Error(`jupyter nbconvert failed:\n${String(stderr ?? error).slice(-4000)}`);
    }
    return joinMultilineStrings(readNotebook(output));
  }

  /** Runs `notebook` through `jupyter server` + `@jupyterlab/services` (started on first use). */
  async services(notebook: Notebook, options: Omit<RunNotebookOptions, "baseUrl" | "token"> = {}): Promise<Notebook> {
    this.server ??= await startJupyterServer({ rootDir: this.work, env: this.env });
    return runNotebook(notebook, { ...options, baseUrl: this.server.baseUrl, token: this.server.token });
  }

  /** Starts a wbflow kernel through `jupyter server`, gives it to `use`, then shuts it down. */
  async withKernel<T>(use: (kernel: Kernel.IKernelConnection) => Promise<T>): Promise<T> {
    this.server ??= await startJupyterServer({ rootDir: this.work, env: this.env });
    const manager = new KernelManager({ serverSettings: jupyterServerSettings(this.server.baseUrl, this.server.token) });
    const kernel = await manager.startNew({ name: "wbflow" });
    try {
      return await use(kernel);
    } finally {
      await kernel.shutdown().catch(() => undefined);
      kernel.dispose();
      manager.dispose();
    }
  }

  /** Stops the server and removes the sandbox. */
  async dispose(): Promise<void> {
    await this.server?.stop();
    rmSync(this.root, { recursive: true, force: true });
  }
}

/** A notebook of code cells for the wbflow kernel. */
export function notebookOf(...sources: string[]): Notebook {
  return {
    cells: sources.map((source): NotebookCell => ({ cell_type: "code", source, metadata: {}, outputs: [], execution_count: null })),
    metadata: { kernelspec: { name: "wbflow", display_name: "TypeScript (wbflow)", language: "typescript" } },
    nbformat: 4,
    nbformat_minor: 5,
  };
}

/** Outputs of cell `index`. */
export function outputsOf(notebook: Notebook, index: number): NotebookOutput[] {
  return notebook.cells[index]?.outputs ?? [];
}

/** Joined text of a MIME type across a cell's outputs (nbformat may store text as a list of lines). */
export function mimeText(notebook: Notebook, index: number, mime: string): string {
  return outputsOf(notebook, index)
    .map((o) => ("data" in o ? o.data[mime] : o.output_type === "stream" && mime === "stream" ? o.text : undefined))
    .filter((v) => v !== undefined)
    .map((v) => (Array.isArray(v) ? v.join("") : String(v)))
    .join("\n");
}

/** Every error output in the notebook. */
export function errorOutputs(notebook: Notebook): NotebookOutput[] {
  return notebook.cells.flatMap((cell) => (cell.outputs ?? []).filter((o) => o.output_type === "error"));
}

/** nbformat stores long strings as lists of lines; join them so both clients compare alike. */
export function joinMultilineStrings(notebook: Notebook): Notebook {
  const join = (value: unknown) => (Array.isArray(value) && value.every((v) => typeof v === "string") ? value.join("") : value);
  for (const cell of notebook.cells) {
    cell.source = join(cell.source) as string;
    for (const output of cell.outputs ?? []) {
      if (output.output_type === "stream") output.text = join(output.text) as string;
      if ("data" in output) for (const mime of Object.keys(output.data)) output.data[mime] = join(output.data[mime]);
    }
  }
  return notebook;
}
