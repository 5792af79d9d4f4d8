/**
 * Kernel overhead: latency of executing a cell through our kernel and through plain tslab 1.0.22,
 * both started by the same real `jupyter server` and driven by `@jupyterlab/services` in the same
 * run. Two cells: a trivial one (`1 + 1`) — the cost of our magic splitting, MIME-bundle results and
 * output routing — and a flow cell (`await BenchFlow.run()`, 3 steps, no W&B) — where our kernel
 * also renders the live run display and the run report (Graphviz), which plain tslab does not.
 *
 * Run `npm run bench -- kernel` (needs dist/ built and Jupyter installed).
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { KernelManager, ServerConnection, type Kernel } from "@jupyterlab/services";
import WebSocket from "ws";
import { installKernelspec } from "../../src/kernel/kernelspec-install.js";
import { startJupyterServer, type JupyterServer } from "../../src/kernel/jupyter-client/jupyter-server-process.js";
import type { BenchCase } from "../harness.js";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const CELLS_PER_SAMPLE = { trivial: 40, flow: 5 };

// Written with require() so the same source type-checks in plain tslab, which cannot resolve
// "wbflow"'s types (Node10 resolution, no `types` field); our kernel resolves them either way.
const FLOW_DEFINITION = `
const { FlowSpec, step } = require("wbflow");
class BenchFlow extends FlowSpec {
  @step start() { (this as any).x = 1; this.next(this.middle); }
  @step middle() { (this as any).y = (this as any).x + 1; this.next(this.end); }
  @step end() {}
}`;

interface Kernels {
  server: JupyterServer;
  manager: KernelManager;
  wbflow: Kernel.IKernelConnection;
  tslab: Kernel.IKernelConnection;
  root: string;
}

let kernels: Kernels | undefined;

async function execute(kernel: Kernel.IKernelConnection, code: string): Promise<void> {
  const reply = await kernel.requestExecute({ code, stop_on_error: true }).done;
  if (reply.content.status !== "ok") throw new Error(`bench cell failed in ${kernel.name}: ${code.slice(0, 60)}`);
}

async function startKernels(): Promise<Kernels> {
  const root = mkdtempSync(path.join(tmpdir(), "wbflow-kernel-bench-"));
  const work = path.join(root, "work");
  const prefix = path.join(root, "prefix");
  mkdirSync(path.join(work, "node_modules"), { recursive: true });
  symlinkSync(repoRoot, path.join(work, "node_modules", "wbflow"));
  installKernelspec({ kind: "prefix", prefix });
  const tslabSpec = path.join(prefix, "share", "jupyter", "kernels", "tslab-plain");
  mkdirSync(tslabSpec, { recursive: true });
  const tslabBin = createRequire(import.meta.url).resolve("tslab/bin/tslab");
  writeFileSync(
    path.join(tslabSpec, "kernel.json"),
    JSON.stringify({ argv: [process.execPath, tslabBin, "kernel", "--config-path", "{connection_file}"], display_name: "TypeScript (plain tslab)", language: "typescript" }),
  );
  const env = { ...process.env, JUPYTER_PATH: path.join(prefix, "share", "jupyter"), WANDB_MODE: "offline" };
  const server = await startJupyterServer({ rootDir: work, env });
  const serverSettings = ServerConnection.makeSettings({
    baseUrl: server.baseUrl,
    wsUrl: server.baseUrl.replace(/^http/, "ws"),
    token: server.token,
    WebSocket: WebSocket as unknown as typeof globalThis.WebSocket,
    appendToken: true,
  });
  const manager = new KernelManager({ serverSettings });
  const [wbflow, tslab] = await Promise.all([manager.startNew({ name: "wbflow" }), manager.startNew({ name: "tslab-plain" })]);
  for (const kernel of [wbflow, tslab]) {
    await execute(kernel, "1 + 1"); // warm up the language service
    await execute(kernel, FLOW_DEFINITION);
  }
  return { server, manager, wbflow, tslab, root };
}

async function msPerCell(kernel: () => Kernel.IKernelConnection, code: string, cells: number): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < cells; i++) await execute(kernel(), code);
  return (performance.now() - started) / cells;
}

function kernelCase(name: string, code: string, cells: number, aim?: string): BenchCase {
  return {
    name,
    unit: "ms/cell",
    ...(aim ? { aim } : {}),
    repeats: 5,
    setup: async () => {
      kernels ??= await startKernels();
    },
    baseline: { label: "plain tslab 1.0.22", run: () => msPerCell(() => kernels!.tslab, code, cells) },
    measured: { label: "wbflow kernel", run: () => msPerCell(() => kernels!.wbflow, code, cells) },
  };
}

async function stopKernels(): Promise<void> {
  if (!kernels) return;
  const { server, manager, wbflow, tslab, root } = kernels;
  kernels = undefined;
  await Promise.all([wbflow.shutdown(), tslab.shutdown()]);
  manager.dispose();
  await server.stop();
  rmSync(root, { recursive: true, force: true });
}

export const cases: BenchCase[] = [
  kernelCase("kernel: trivial cell latency", "1 + 1", CELLS_PER_SAMPLE.trivial, "ratio ≤ 1.05"),
  { ...kernelCase("kernel: flow cell latency (3-step flow)", "await BenchFlow.run();", CELLS_PER_SAMPLE.flow), teardown: stopKernels },
];
