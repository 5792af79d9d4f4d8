/**
 * Kernel overhead: the latency of executing a cell through our kernel's execution path and through
 * plain tslab 1.0.22's, measured in the same run. Each sample is a child process that builds one
 * kernel in-process — ours (`createCellExecutor` from dist/: magic splitting, MIME-bundle results,
 * output routing, the flow-run watcher) or tslab's (`JupyterHandlerImpl` over its executor) — warms
 * it up, then times N cells whose outputs are JSON-encoded as the ZeroMQ layer would.
 *
 * The ZeroMQ layer itself is left out: both kernels use tslab's server, and plain tslab under a
 * loaded machine can lose messages (zeromq 6 refuses a second send in flight; our kernel queues
 * them), which would make a through-Jupyter baseline hang rather than measure.
 *
 * Two cells: `1 + 1`, and `await BenchFlow.run()` (3 steps, no W&B) — where our kernel also renders
 * the live run display and the report (Graphviz), which plain tslab does not do.
 *
 * Run `npm run bench -- kernel` (needs dist/ built). Child mode:
 * `tsx bench/cases/kernel.bench.ts --kernel-bench-child <wbflow|tslab> <trivial|flow> <cells>`.
 */
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";
import type { BenchCase } from "../harness.js";

const execFileAsync = promisify(execFile);
const thisFile = fileURLToPath(import.meta.url);
const repoRoot = path.resolve(path.dirname(thisFile), "..", "..");
const CELLS = { trivial: 300, flow: 10 } as const;
type Side = "wbflow" | "tslab";
type Cell = keyof typeof CELLS;

// require() so the same source type-checks in plain tslab, which cannot resolve wbflow's types.
const FLOW_DEFINITION = `
const { FlowSpec, step } = require("wbflow");
class BenchFlow extends FlowSpec {
  @step start() { (this as any).x = 1; this.next(this.middle); }
  @step middle() { (this as any).y = (this as any).x + 1; this.next(this.end); }
  @step end() {}
}`;
const CELL_CODE: Record<Cell, string> = { trivial: "1 + 1", flow: "await BenchFlow.run();" };

/** Runs `count` cells of `code` in a fresh kernel of `side` (in this process); resolves to ms/cell. */
async function childMeasure(side: Side, cell: Cell, count: number): Promise<number> {
  let execute: (code: string) => Promise<string>;
  const encode = (type: string, content: unknown) => JSON.stringify({ header: { msg_type: type }, content });
  if (side === "wbflow") {
    const { createCellExecutor } = (await import(pathToFileURL(path.join(repoRoot, "dist", "kernel", "jupyter", "start-kernel.js")).href)) as typeof import("../../src/kernel/jupyter/start-kernel.js");
    const cells = createCellExecutor(process.cwd());
    const output = {
      stream: (name: string, text: string) => void encode("stream", { name, text }),
      display: (data: unknown, options?: { update?: boolean }) => void encode(options?.update ? "update_display_data" : "display_data", { data }),
      result: (data: unknown, count: number) => void encode("execute_result", { data, execution_count: count }),
      error: (ename: string, evalue: string, traceback: string[]) => void encode("error", { ename, evalue, traceback }),
      prompt: () => Promise.reject(new Error("no stdin in the benchmark")),
    };
    execute = async (code) => (await cells.execute({ code }, output)).status;
  } else {
    const { tslabConverter, tslabExecutor, tslabJupyter } = await import("../../src/kernel/cells/tslab-internals.js");
    const converter = tslabConverter.createConverter({ isJS: false, isBrowser: false });
    const executor = tslabExecutor.createExecutor(process.cwd(), { node: converter, browser: converter, close: () => converter.close() }, { log: console.log, error: console.error });
    const handler = new tslabJupyter.JupyterHandlerImpl(executor, false);
    execute = async (code) =>
      (await handler.handleExecute({ code, silent: false, store_history: true, user_expressions: {} }, (name, text) => void encode("stream", { name, text }), (data, update) => void encode(update ? "update_display_data" : "display_data", data))).status;
  }
  for (const warmup of [FLOW_DEFINITION, "1 + 1", CELL_CODE[cell]]) {
    const status = await execute(warmup);
    if (status !== "ok") throw new Error(`warm-up cell failed in ${side}: ${warmup.slice(0, 40)}`);
  }
  const started = performance.now();
  for (let i = 0; i < count; i++) await execute(CELL_CODE[cell]);
  return (performance.now() - started) / count;
}

let workDir: string | undefined;

function prepareWorkDir(): void {
  if (workDir) return;
  workDir = mkdtempSync(path.join(tmpdir(), "wbflow-kernel-bench-"));
  mkdirSync(path.join(workDir, "node_modules"));
  symlinkSync(repoRoot, path.join(workDir, "node_modules", "wbflow"));
}

async function sample(side: Side, cell: Cell): Promise<number> {
  const tsx = path.join(repoRoot, "node_modules", ".bin", "tsx");
  const { stdout } = await execFileAsync(tsx, [thisFile, "--kernel-bench-child", side, cell, String(CELLS[cell])], {
    cwd: workDir,
    env: { ...process.env, WANDB_MODE: "offline" },
    maxBuffer: 16 * 1024 * 1024,
  });
  const line = stdout.trim().split("\n").at(-1)!;
  return (JSON.parse(line) as { msPerCell: number }).msPerCell;
}

function kernelCase(name: string, cell: Cell, aim?: string): BenchCase {
  return {
    name,
    unit: "ms/cell",
    ...(aim ? { aim } : {}),
    repeats: 7,
    setup: async () => prepareWorkDir(),
    baseline: { label: "plain tslab 1.0.22", run: () => sample("tslab", cell) },
    measured: { label: "wbflow kernel", run: () => sample("wbflow", cell) },
  };
}

export const cases: BenchCase[] = [
  kernelCase("kernel: trivial cell latency (1 + 1)", "trivial", "ratio ≤ 1.05"),
  {
    ...kernelCase("kernel: flow cell latency (3-step flow)", "flow"),
    teardown: async () => {
      if (workDir) rmSync(workDir, { recursive: true, force: true });
      workDir = undefined;
    },
  },
];

if (process.argv[2] === "--kernel-bench-child") {
  const [side, cell, count] = process.argv.slice(3) as [Side, Cell, string];
  const msPerCell = await childMeasure(side, cell, Number(count));
  // Straight to fd 1: both kernels route process.stdout into cell outputs.
  writeSync(1, `${JSON.stringify({ msPerCell })}\n`);
  process.exit(0);
}
