/**
 * Starts a real `jupyter server` on loopback with a random token — what the quickstart runner and
 * the notebook tests execute notebooks against.
 */
import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createServer } from "node:net";

/** `jupyter server` is not installed or did not start; the message says how to fix it. */
export class JupyterUnavailableError extends Error {
  override name = "JupyterUnavailableError";
}

/** Debian packages that provide everything the runner and tests use. */
export const JUPYTER_DEBIAN_PACKAGES = ["jupyter-server", "jupyter-nbconvert", "python3-nbclient", "jupyter-notebook", "python3-ipykernel"];

/** Throws {@link JupyterUnavailableError} with install instructions when `jupyter server` is missing. */
export function requireJupyterServer(): string {
  try {
    return execFileSync("jupyter", ["server", "--version"], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
  } catch {
    throw new JupyterUnavailableError(
      "`jupyter server` was not found. On Debian/Ubuntu install it with:\n" +
        `  sudo apt-get update && sudo apt-get install -y ${JUPYTER_DEBIAN_PACKAGES.join(" ")}\n` +
        "or with pip: pip install jupyter_server nbconvert nbclient notebook",
    );
  }
}

/** A running server. */
export interface JupyterServer {
  baseUrl: string;
  token: string;
  /** Stops the server and waits for the process to exit. */
  stop(): Promise<void>;
}

/** Options for {@link startJupyterServer}. */
export interface JupyterServerOptions {
  /** Directory the server serves notebooks from and starts kernels in. */
  rootDir: string;
  /** Environment for the server and its kernels (e.g. JUPYTER_PATH, HOME, WANDB_* settings). */
  env?: NodeJS.ProcessEnv;
  /** Receives the server's log lines (default: dropped). */
  log?: (line: string) => void;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

/** Starts `jupyter server` and resolves once it is listening. */
export async function startJupyterServer(options: JupyterServerOptions): Promise<JupyterServer> {
  requireJupyterServer();
  const port = await freePort();
  const token = randomBytes(24).toString("hex");
  const args = [
    "server",
    "--no-browser",
    "--ip=127.0.0.1",
    `--port=${port}`,
    // The port was free a moment ago; another process may have taken it since: the server then tries the
    // next ones, and the URL it prints says which it got.
    "--port-retries=50",
    `--ServerApp.token=${token}`,
    `--ServerApp.root_dir=${options.rootDir}`,
    // A kernel starting on a loaded machine may take over a minute to answer; by default the server then
    // presumes it dead.
    "--MappingKernelManager.kernel_info_timeout=300",
  ];
  if (process.getuid?.() === 0) args.push("--allow-root");
  // Kernels started without a notebook path run in the server's working directory: make that rootDir.
  const child = spawn("jupyter", args, { cwd: options.rootDir, env: options.env ?? process.env, stdio: ["ignore", "pipe", "pipe"] });
  const listening = await waitUntilListening(child, options.log);
  return {
    baseUrl: `http://127.0.0.1:${listening}/`,
    token,
    stop: () => stopProcess(child),
  };
}

/** Resolves with the port the server listens on, read from the URL it prints once it does. */
function waitUntilListening(child: ChildProcess, log?: (line: string) => void): Promise<number> {
  return new Promise((resolve, reject) => {
    let output = "";
    const onData = (data: Buffer) => {
      const text = data.toString();
      output += text;
      for (const line of text.split("\n")) if (line.trim()) log?.(line);
      const url = /http:\/\/127\.0\.0\.1:(\d+)\//.exec(output);
      if (url) resolve(Number(url[1]));
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("exit", (code) =>
      reject(new JupyterUnavailableError(`jupyter server exited with code ${code} before listening:\n${output.slice(-2000)}`)),
    );
    child.once("error", (error) => reject(new JupyterUnavailableError(`could not start jupyter server: ${error.message}`)));
  });
}

function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
  });
}
