/**
 * Starts the wbflow Jupyter kernel: tslab's converter and executor, our cell executor with magics,
 * tslab's ZeroMQ server with our execute handling, and SIGINT wired to interrupt.
 */
import { CellExecutor, ExecutorConsole } from "../cells/cell-executor.js";
import { kernelInfo } from "./kernel-info.js";
import { KernelServer } from "./kernel-server.js";
import { watchFlowRuns } from "../flow-view/flow-run-watcher.js";
import { richValueBundle } from "../flow-view/rich-values.js";
import { createMagicRegistry } from "../magics/builtin-magics.js";
import { wbflowPackageRoot } from "./package-root.js";
import { tslabConverter, tslabExecutor, type Converter, type ConverterSet } from "../cells/tslab-internals.js";
import { linkWbflowRuntime, linkWbflowTypes } from "../cells/wbflow-module-link.js";
import { reloadImportersOfChangedModules } from "../cells/local-module-reload.js";

/** Creates converters lazily, as tslab does (the browser one is rarely needed). */
class LazyConverters implements ConverterSet {
  private nodeConverter: Converter | undefined;
  private browserConverter: Converter | undefined;
  get node(): Converter {
    return (this.nodeConverter ??= reloadImportersOfChangedModules(tslabConverter.createConverter({ isJS: false, isBrowser: false })));
  }
  get browser(): Converter {
    return (this.browserConverter ??= tslabConverter.createConverter({ isJS: false, isBrowser: true }));
  }
  close(): void {
    this.nodeConverter?.close();
    this.browserConverter?.close();
  }
}

/** The pieces of a kernel without its sockets: what tests and benchmarks drive directly. */
export function createCellExecutor(cwd: string = process.cwd()): CellExecutor {
  const packageRoot = wbflowPackageRoot();
  linkWbflowTypes(cwd, packageRoot);
  const converters = new LazyConverters();
  void converters.node; // Warm the TypeScript service before the first cell, as tslab does.
  const console = new ExecutorConsole();
  const executor = tslabExecutor.createExecutor(cwd, converters, console);
  linkWbflowRuntime(packageRoot);
  watchFlowRuns();
  return new CellExecutor(executor, console, createMagicRegistry(), process.env, richValueBundle);
}

/** Starts the kernel for the connection file Jupyter passes (`--config-path`). */
export async function startKernel(configPath: string): Promise<KernelServer> {
  const cells = createCellExecutor();
  const server = new KernelServer(cells, kernelInfo(), configPath);
  process.on("SIGINT", () => server.interrupt());
  // A kernel must outlive a bad promise in user code; report instead of dying (as tslab does).
  process.on("uncaughtException", (error) => console.error("Uncaught exception:", error));
  process.on("unhandledRejection", (reason) => console.error("Unhandled promise rejection:", reason));
  await server.init();
  return server;
}
