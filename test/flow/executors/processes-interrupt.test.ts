/**
 * Interrupting a run whose tasks run in worker processes (`executor: "processes"`): the stop signal
 * ends the attempts running in workers (their processes are gone, not left burning CPU), the run ends
 * as interrupted (not failed) naming the stopped tasks, no process is left, and `resume` with workers
 * finishes the run with the finished tasks cloned. Each run is driven by a fresh Node process.
 */
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { expect, test } from "vitest";
import { Task } from "../../../src/flow/client/task.js";
import { Datastore } from "../../../src/flow/datastore/datastore.js";
import { flowWorkspace, isAlive, noneMarkedWithin } from "./flow-workspace.js";

const REPO = fileURLToPath(new URL("../../../", import.meta.url));
const DRIVER = fileURLToPath(new URL("./interrupt-driver.ts", import.meta.url));

// Split 0 is quick; the others burn the CPU for BURN_MS (minutes on the first run, nothing on resume).
const LONG_BURN = `import { FlowSpec, step } from "wbflow";
export class LongBurn extends FlowSpec {
  @step start() { (this as any).parts = [0, 1, 2, 3]; this.next(this.burn, { foreach: "parts" }); }
  @step burn() {
    const part = this.input as number;
    console.log("burning " + part + " in " + process.pid);
    const until = Date.now() + (part === 0 ? 0 : Number(process.env.BURN_MS));
    let x = 0;
    while (Date.now() < until) x += Math.sqrt(x + 1); // busy: only killing the process stops it
    (this as any).y = part * 10;
    this.next(this.join);
  }
  @step join(inputs: any) { (this as any).ys = inputs.map((i: any) => i.y); this.next(this.end); }
  @step end() {}
}
`;

interface DriverResult {
  runId: string;
  successful: boolean;
  error?: { name: string; message: string; interrupted: boolean };
  tasks: Array<{ pathspec: string; stepName: string; ok: boolean; cloned: boolean; error?: { name: string; message: string } }>;
}

/** Starts the driver; `onLine` sees each line it prints (the workers' output among them). */
function drive(args: string[], env: NodeJS.ProcessEnv, onLine: (line: string, interrupt: () => void) => void = () => {}): Promise<DriverResult & { stdout: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", DRIVER, ...args], { cwd: REPO, env: { ...process.env, ...env } });
  let stdout = "";
  let stderr = "";
  let partial = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    stdout += chunk;
    const lines = (partial + chunk).split("\n");
    partial = lines.pop()!;
    for (const line of lines) onLine(line, () => child.kill("SIGINT"));
  });
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    child.on("close", (code) => {
      const line = stdout.split("\n").find((l) => l.startsWith("RESULT "));
      if (!line) return reject(new Error(`the driver exited with ${String(code)} and no result:\n${stdout}\n${stderr}`));
      resolve({ ...(JSON.parse(line.slice(7)) as DriverResult), stdout });
    });
  });
}

test("interrupting a processes run ends the running attempts' workers; the run is interrupted; resume with workers finishes it", async () => {
  const workspace = flowWorkspace();
  const file = workspace.write("long_burn.ts", LONG_BURN);
  const root = mkdtempSync(path.join(tmpdir(), "wbflow-interrupt-store-"));
  const mark = randomUUID();
  const burning = new Map<number, number>(); // split -> worker pid
  const run = await drive([file, "LongBurn", root, "2", "run"], { BURN_MS: "600000", WBFLOW_TEST_MARK: mark }, (line, interrupt) => {
    const match = /^burning (\d+) in (\d+)$/.exec(line);
    if (!match) return;
    burning.set(Number(match[1]), Number(match[2]));
    // Splits 1 and 2 burn at the same time on the two workers (split 0 was quick): interrupt now.
    if (burning.has(1) && burning.has(2) && burning.size === 3) interrupt();
  });

  expect(run.successful).toBe(false);
  expect(run.error).toMatchObject({ name: "FlowRunError", interrupted: true });
  const pathspec = `LongBurn/${run.runId}`;
  expect(run.error!.message).toContain(`Flow LongBurn run ${pathspec} was interrupted before it finished.`);
  expect(run.error!.message).toContain("%flow resume LongBurn");
  const stopped = run.tasks.filter((t) => !t.ok);
  expect(stopped.map((t) => t.error?.name)).toEqual(["TaskInterruptedError", "TaskInterruptedError"]);
  for (const task of stopped) expect(run.error!.message).toContain(task.pathspec);
  expect(run.tasks.filter((t) => t.ok).map((t) => t.stepName).sort()).toEqual(["burn", "start"]);
  // The busy workers were ended (they would burn for ten minutes) before the run ended, and nothing the run
  // started is left (waited for: tsx's esbuild helper of a process just ended goes a moment later).
  expect([...burning.values()].filter(isAlive)).toEqual([]);
  await noneMarkedWithin(mark);
  // The datastore has each stopped attempt as failed, with the interrupt as its exception; split 3 never started.
  const datastore = new Datastore({ root });
  for (const task of stopped) {
    const exception = await new Task(task.pathspec, { datastore }).exception();
    expect(exception).toMatchObject({ type: "TaskInterruptedError" });
    expect(exception!.message).toContain("was stopped because the run was interrupted");
  }
  expect(await datastore.listTasks("LongBurn", run.runId, "burn")).toHaveLength(3);

  const resumed = await drive([file, "LongBurn", root, "2", "resume", run.runId], { BURN_MS: "0", WBFLOW_TEST_MARK: mark });
  expect(resumed.error).toBeUndefined();
  expect(resumed.successful).toBe(true);
  const cloned = resumed.tasks.filter((t) => t.cloned).map((t) => t.stepName).sort();
  expect(cloned).toEqual(["burn", "start"]); // start and split 0
  expect(resumed.tasks.filter((t) => !t.cloned && t.stepName === "burn")).toHaveLength(3);
  expect(resumed.stdout).toMatch(/burning 3 in \d+/);
  await noneMarkedWithin(mark);
}, 120_000);

test("Ctrl-C (SIGINT) to wbflow run --executor processes interrupts the run: busy workers are ended, exit 130, the message says how to resume", async () => {
  const workspace = flowWorkspace();
  const file = workspace.write("long_burn.ts", LONG_BURN);
  const store = path.join(workspace.dir, "store");
  const mark = randomUUID();
  const args = [path.join(REPO, "bin/wbflow.js"), "run", file, "--executor", "processes", "--max-workers", "2", "--datastore", store];
  // SIGINT to the CLI alone (a terminal would also send it to the workers, which then die of it anyway).
  const child = spawn(process.execPath, args, { cwd: workspace.dir, env: { ...process.env, BURN_MS: "600000", WBFLOW_TEST_MARK: mark } });
  let output = "";
  const burning = new Set<number>();
  let interrupted = false;
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    output += chunk;
    for (const match of chunk.matchAll(/burning ([12]) in (\d+)/g)) burning.add(Number(match[2]));
    if (!interrupted && /burning 1 in/.test(output) && /burning 2 in/.test(output)) {
      interrupted = true;
      child.kill("SIGINT");
    }
  });
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  expect(code, output).toBe(130);
  expect(output).toContain("Interrupting the run: no task starts any more");
  expect(output).toMatch(/Flow LongBurn run LongBurn\/\d+ was interrupted before it finished\. Stopped while running: /);
  expect(output).toContain("`wbflow resume FILE LongBurn`");
  expect([...burning].filter(isAlive)).toEqual([]);
  await noneMarkedWithin(mark);
}, 120_000);
