import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Datastore, TaskNotFinishedError } from "../../src/flow/datastore/datastore.js";
import { SMALL_VALUES, smallValueFor, valueFor } from "./store-crash-writer.js";

const writer = fileURLToPath(new URL("./store-crash-writer.ts", import.meta.url));
let root: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "wbflow-crash-"));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/**
 * Runs the writer and SIGKILLs it as soon as it prints `killOn` (e.g. "writing 3"); resolves with how it
 * ended and every line it printed (it prints each line before doing what the line says).
 */
function runWriterAndKill(runId: string, killOn: string): Promise<{ signal: NodeJS.Signals | null; printed: string[] }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", writer, root, runId], { stdio: ["ignore", "pipe", "inherit"] });
    const printed: string[] = [];
    const lines = createInterface({ input: child.stdout! });
    lines.on("line", (line) => {
      printed.push(line);
      if (line === killOn) child.kill("SIGKILL");
    });
    child.on("error", reject);
    child.on("close", (_code, signal) => resolve({ signal, printed }));
  });
}

describe("Datastore crash safety", () => {
  it("never shows a task killed mid-write as done, and stays readable", async () => {
    // Kill at different points, one run each; the flow's blobs are shared by all runs.
    const kills = [
      { runId: "1", killAt: 1, phase: "writing" },
      { runId: "2", killAt: 3, phase: "writing" },
      { runId: "3", killAt: 4, phase: "finishing" },
    ];
    const phases = new Map<string, string>();
    for (const { runId, killAt, phase } of kills) {
      const { signal, printed } = await runWriterAndKill(runId, `${phase} ${killAt}`);
      expect(signal).toBe("SIGKILL");
      // The kill lands a moment after the line: on a loaded machine the writer may have gone on to store the
      // task's values and begun its index by then (it said "finishing"). Only then may the task be done.
      phases.set(runId, printed.includes(`finishing ${killAt}`) ? "finishing" : phase);
    }

    const store = new Datastore({ root });
    expect((await store.listRuns("CrashFlow")).map((run) => run.runId).sort()).toEqual(["1", "2", "3"]);
    for (const { runId, killAt } of kills) {
      const phase = phases.get(runId);
      const taskIds = await store.listTasks("CrashFlow", runId, "work");
      expect(taskIds.slice(0, killAt)).toEqual(Array.from({ length: killAt }, (_, i) => String(i + 1)));
      for (const taskId of taskIds) {
        const key = { flowName: "CrashFlow", runId, stepName: "work", taskId };
        const killed = Number(taskId) >= killAt;
        if (killed && phase === "writing") {
          // Killed while storing values: never visible as done.
          await expect(store.readTask(key)).rejects.toBeInstanceOf(TaskNotFinishedError);
          continue;
        }
        // Killed while writing the index and marker (or just after): done and complete, or not done.
        const stored = await store.readTask(key).catch((error: unknown) => {
          if (killed && error instanceof TaskNotFinishedError) return undefined;
          throw error;
        });
        if (!stored) continue;
        const values = (await store.getValue("CrashFlow", stored.artifacts.values!)) as Float64Array;
        // Byte comparison: a deep-equal of 2M elements is needlessly slow.
        expect(Buffer.from(values.buffer, values.byteOffset, values.byteLength).equals(Buffer.from(valueFor(Number(taskId)).buffer))).toBe(true);
        expect(await store.getValue("CrashFlow", stored.artifacts.info!)).toEqual({ taskId: Number(taskId), label: `task ${taskId}` });
        // The small values live inline in the done file: all of them are there, none is a blob.
        expect(Object.keys(stored.artifacts)).toHaveLength(SMALL_VALUES + 2);
        for (const k of [0, SMALL_VALUES >> 1, SMALL_VALUES - 1]) {
          expect(stored.artifacts[`small${k}`]!.inline).toBeDefined();
          expect(await store.getValue("CrashFlow", stored.artifacts[`small${k}`]!)).toEqual(smallValueFor(Number(taskId), k));
        }
      }
    }

    // Every blob under its final name is complete: its name is the sha256 of its bytes.
    const dataDir = join(root, "CrashFlow", "data");
    for (const prefix of (await readdir(dataDir)).filter((name) => name !== ".tmp")) {
      for (const sha of await readdir(join(dataDir, prefix))) {
        expect(createHash("sha256").update(await readFile(join(dataDir, prefix, sha))).digest("hex")).toBe(sha);
      }
    }
  }, 60_000);

  it("never shows a task killed half-way through writing its index as done", async () => {
    const signal = await new Promise<NodeJS.Signals | null>((resolve, reject) => {
      const child = spawn(process.execPath, ["--import", "tsx", writer, root, "mid-index", "3"], {
        stdio: ["ignore", "ignore", "inherit"],
        env: { ...process.env, WBFLOW_CRASH_IN_INDEX: "2" },
      });
      child.on("error", reject);
      child.on("exit", (_code, exitSignal) => resolve(exitSignal));
    });
    expect(signal).toBe("SIGKILL");
    const store = new Datastore({ root });
    expect(await store.listTasks("CrashFlow", "mid-index", "work")).toEqual(["1", "2"]);
    const first = await store.readTask({ flowName: "CrashFlow", runId: "mid-index", stepName: "work", taskId: "1" });
    expect(Object.keys(first.artifacts)).toHaveLength(SMALL_VALUES + 2);
    const killed = { flowName: "CrashFlow", runId: "mid-index", stepName: "work", taskId: "2" };
    const left = await readdir(join(root, "CrashFlow", "mid-index", "work", "2"));
    expect(left).toHaveLength(1); // only the half-written temporary index
    expect(left[0]).toMatch(/^\.tmp-/);
    expect((await readFile(join(root, "CrashFlow", "mid-index", "work", "2", left[0]!), "utf8")).length).toBeGreaterThan(1000);
    await expect(store.readTask(killed)).rejects.toBeInstanceOf(TaskNotFinishedError);
    expect(await store.listAttempts(killed)).toEqual([0]);
  }, 60_000);

  it("lets two processes store the same values into one flow at once", async () => {
    const run = (runId: string) =>
      new Promise<number | null>((resolve, reject) => {
        const child = spawn(process.execPath, ["--import", "tsx", writer, root, runId, "3"], { stdio: ["ignore", "ignore", "inherit"] });
        child.on("error", reject);
        child.on("exit", (code) => resolve(code));
      });
    expect(await Promise.all([run("parallel-a"), run("parallel-b")])).toEqual([0, 0]);
    const store = new Datastore({ root });
    for (const runId of ["parallel-a", "parallel-b"]) {
      for (const taskId of ["1", "2", "3"]) {
        const stored = await store.readTask({ flowName: "CrashFlow", runId, stepName: "work", taskId });
        const values = (await store.getValue("CrashFlow", stored.artifacts.values!)) as Float64Array;
        expect(Buffer.from(values.buffer, values.byteOffset, values.byteLength).equals(Buffer.from(valueFor(Number(taskId)).buffer))).toBe(true);
      }
    }
  }, 60_000);
});
