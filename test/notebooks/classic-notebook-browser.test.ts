/**
 * The executed quickstart opened in the classic Jupyter Notebook, in headless Chromium (the system
 * browser; nothing is downloaded): the artifacts table, the summary table and the lineage graph are
 * on the page. A screenshot is saved in test-output/ for people to look at.
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import { promisify } from "node:util";
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readNotebook, writeNotebook } from "../../scripts/jupyter-client/notebook-file.js";
import { JupyterSandbox, errorOutputs } from "./jupyter-harness.js";

const execFileAsync = promisify(execFile);
const repoRoot = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..", "..");
const CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

/**
 * Starts the classic Notebook on `port` or, when another process took that port meanwhile, one of the next
 * ones; resolves with the process and the port it listens on (read from the URL it prints).
 */
function startClassicNotebook(rootDir: string, env: NodeJS.ProcessEnv, port: number, token: string): Promise<{ child: ChildProcess; port: number }> {
  const args = ["notebook", "--no-browser", "--ip=127.0.0.1", `--port=${port}`, "--port-retries=50", `--NotebookApp.token=${token}`, `--notebook-dir=${rootDir}`];
  if (process.getuid?.() === 0) args.push("--allow-root");
  const child = spawn("jupyter", args, { cwd: rootDir, env, stdio: ["ignore", "pipe", "pipe"] });
  return new Promise((resolve, reject) => {
    let log = "";
    const onData = (data: Buffer) => {
      log += data.toString();
      const url = /http:\/\/127\.0\.0\.1:(\d+)\//.exec(log);
      if (url) resolve({ child, port: Number(url[1]) });
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("exit", (code) => reject(new Error(`jupyter notebook exited (${code}):\n${log.slice(-2000)}`)));
  });
}

describe("the executed quickstart in the classic Jupyter Notebook (headless Chromium)", () => {
  let sandbox: JupyterSandbox;
  let notebookServer: ChildProcess | undefined;
  let browser: Browser | undefined;

  beforeAll(() => {
    sandbox = new JupyterSandbox();
  });
  afterAll(async () => {
    await browser?.close();
    if (notebookServer && notebookServer.exitCode === null) {
      const exited = new Promise((resolve) => notebookServer!.once("exit", resolve));
      notebookServer.kill("SIGTERM");
      await exited;
    }
    await sandbox.dispose();
  });

  it("shows the tables and the lineage graph", async () => {
    const executed = await sandbox.services(readNotebook(path.join(repoRoot, "notebooks", "quickstart.ipynb")));
    expect(errorOutputs(executed)).toEqual([]);
    const file = path.join(sandbox.work, "quickstart.executed.ipynb");
    writeNotebook(file, executed);
    // We produced these outputs ourselves: trust them so the Notebook shows SVG and unsanitised tables.
    // (nbformat's NotebookNotary is what `jupyter trust` runs; Debian ships the library, not the command.)
    const sign = "import sys, nbformat; from nbformat.sign import NotebookNotary; nb = nbformat.read(sys.argv[1], 4); NotebookNotary().sign(nb)";
    await execFileAsync("/usr/bin/python3", ["-c", sign, file], { env: sandbox.env });

    const token = randomBytes(16).toString("hex");
    const started = await startClassicNotebook(sandbox.work, sandbox.env, await freePort(), token);
    notebookServer = started.child;
    const port = started.port;
    // Waits are bounded generously (Playwright's own default is 30 s, expect.poll's 1 s): a loaded machine
    // may take long to start the browser and to load and render the page, which is not what this test checks.
    const patience = { timeout: 120_000 };
    browser = await chromium.launch({ executablePath: "/usr/bin/chromium", headless: true, args: CHROMIUM_FLAGS, ...patience });
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`http://127.0.0.1:${port}/notebooks/quickstart.executed.ipynb?token=${token}`, patience);

    const artifacts = page.locator("table.wbflow-artifacts-table").first();
    await artifacts.waitFor({ state: "visible", ...patience });
    expect(await artifacts.innerText()).toMatch(/raw_df\s+dataset\s+v\d/);
    await expect.poll(() => page.locator("table.wbflow-summary-table").count(), patience).toBeGreaterThan(0);
    const lineage = page.locator(".wbflow-lineage svg").first();
    await lineage.waitFor({ state: "visible", ...patience });
    expect(await lineage.locator("g.node").count()).toBeGreaterThan(1);
    expect(await lineage.innerHTML()).toMatch(/raw_df:v\d/);
    expect(await page.locator(".output_area .output_error").count()).toBe(0);

    await lineage.scrollIntoViewIfNeeded(patience);
    mkdirSync(path.join(repoRoot, "test-output"), { recursive: true });
    await page.screenshot({ path: path.join(repoRoot, "test-output", "quickstart-classic-notebook.png"), fullPage: true, ...patience });
  }, 600_000); // a whole notebook, a server and a browser on a shared 2-core machine: room, not a limit
});
