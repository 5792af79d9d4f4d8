/**
 * Contract with tslab's internals (deep imports, see src/kernel/cells/tslab-internals.ts). If tslab is
 * upgraded and any of these names, signatures or behaviours change, this file fails first and says
 * which assumption broke.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  TSLAB_VERSION,
  tslabConverter,
  tslabExecutor,
  tslabInspect,
  tslabJupyter,
  tslabTypeScript,
  tslabUtil,
} from "../../src/kernel/cells/tslab-internals.js";

const require = createRequire(import.meta.url);

describe("tslab contract", () => {
  it("is the pinned version", () => {
    const manifest = JSON.parse(readFileSync(require.resolve("tslab/package.json"), "utf8")) as { version: string };
    expect(manifest.version).toBe(TSLAB_VERSION);
    const ours = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { dependencies: Record<string, string> };
    expect(ours.dependencies.tslab).toBe(TSLAB_VERSION);
  });

  it("exposes the functions and classes the kernel uses, with their arities", () => {
    expect(tslabConverter.createConverter).toBeTypeOf("function");
    expect(tslabConverter.isCompleteCode).toBeTypeOf("function");
    expect(tslabExecutor.createExecutor.length).toBe(3); // (rootDir, convs, console)
    expect(tslabInspect.printQuickInfo).toBeTypeOf("function");
    expect(tslabUtil.TaskQueue).toBeTypeOf("function");
    expect(tslabUtil.TaskCanceledError).toBeTypeOf("function");
    const server = tslabJupyter.ZmqServer.prototype as unknown as Record<string, unknown>;
    for (const method of ["init", "close", "handleExecute", "handleShellMessage", "publishStatus"]) {
      expect(server[method], `ZmqServer.prototype.${method}`).toBeTypeOf("function");
    }
    expect(tslabJupyter.ZmqServer.length).toBe(2); // (handler, configPath)
    // The server reads handler methods by these names.
    const source = readFileSync(require.resolve("tslab/dist/jupyter.js"), "utf8");
    for (const call of ["handler.handleKernel()", "handler.handleIsComplete(", "handler.handleInspect(", "handler.handleComplete(", "handler.handleShutdown(", "handler.close()"]) {
      expect(source, call).toContain(`this.${call}`);
    }
    // Sockets and connection info are fields named like this.
    for (const field of ["this.iopub = new zmq.Publisher()", "this.stdin = new zmq.Router()", "this.connInfo = cinfo"]) {
      expect(source, field).toContain(field);
    }
    expect("lastWriteDisplayData" in tslabJupyter).toBe(true);
  });

  it("shares one ts.sys whose file hooks the kernel can wrap", () => {
    for (const hook of ["fileExists", "readFile", "directoryExists"] as const) {
      expect(tslabTypeScript.sys[hook], hook).toBeTypeOf("function");
    }
    const converterSource = readFileSync(require.resolve("tslab/dist/converter.js"), "utf8");
    expect(converterSource).toContain("Object.create(ts.sys)");
    expect(converterSource).toContain("ts.ModuleResolutionKind.Node10");
  });

  it("reports the last expression through console.log(value) and errors through console.error", async () => {
    const logs: unknown[][] = [];
    const errors: unknown[][] = [];
    const cwd = mkdtempSync(path.join(os.tmpdir(), "wbflow-contract-"));
    const previous = process.cwd();
    process.chdir(cwd);
    let converter: ReturnType<typeof tslabConverter.createConverter>;
    try {
      converter = tslabConverter.createConverter({ isJS: false, isBrowser: false });
    } finally {
      process.chdir(previous);
    }
    const executor = tslabExecutor.createExecutor(cwd, { node: converter, browser: converter, close: () => converter.close() }, {
      log: (...args: unknown[]) => logs.push(args),
      error: (...args: unknown[]) => errors.push(args),
    });
    try {
      expect(await executor.execute("const a = 40;\na + 2")).toBe(true);
      expect(logs).toEqual([[42]]);
      expect(executor.locals.a).toBe(40);
      expect((globalThis as { __tslab__?: { require?: unknown } }).__tslab__?.require).toBeTypeOf("function");

      expect(await executor.execute("throw new RangeError('boom')")).toBe(false);
      expect(errors).toHaveLength(1);
      expect(errors[0]![0]).toBeInstanceOf(RangeError);

      expect(await executor.execute("const s: number = 'text';")).toBe(false);
      expect(errors[1]![0]).toBe("%s%d:%d - %s"); // diagnostics: a format string and its values
      expect(String(errors[1]![4])).toContain("not assignable");

      // Interrupt rejects a pending top-level await.
      const pending = executor.execute("await new Promise(() => {});");
      executor.interrupt();
      expect(await pending).toBe(false);
      expect(String(errors.at(-1)![0])).toContain("Interrupted");
    } finally {
      executor.close();
    }
  });

  it("reports incomplete code and keeps a sequential task queue", async () => {
    expect(tslabConverter.isCompleteCode("function f() {").completed).toBe(false);
    expect(tslabConverter.isCompleteCode("const x = 1;").completed).toBe(true);
    const queue = new tslabUtil.TaskQueue();
    const order: number[] = [];
    await Promise.all([queue.add(async () => order.push(1)), queue.add(async () => order.push(2))]);
    expect(order).toEqual([1, 2]);
    const failed = queue.add(() => Promise.reject(new Error("first")));
    const next = queue.add(async () => 3);
    await expect(failed).rejects.toThrow("first");
    await expect(next).rejects.toBeInstanceOf(tslabUtil.TaskCanceledError);
  });

  it("zeromq refuses a send while one is in flight (why the kernel retries EBUSY sends)", async () => {
    const zmq = require("zeromq") as typeof import("zeromq");
    const publisher = new zmq.Publisher();
    await publisher.bind("tcp://127.0.0.1:*");
    try {
      let refused: { code?: string } | undefined;
      for (let i = 0; i < 5000 && !refused; i++) {
        try {
          publisher.send(["topic", String(i)]).catch(() => undefined);
        } catch (error) {
          refused = error as { code?: string };
        }
      }
      expect(refused?.code).toBe("EBUSY");
    } finally {
      publisher.close();
    }
  });
});
