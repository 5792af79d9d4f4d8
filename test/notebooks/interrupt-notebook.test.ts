/**
 * The notebook's interrupt stops a flow's tasks in worker processes, through real Jupyter (`jupyter
 * server`, the kernel interrupted as JupyterLab's stop button does it: the kernelspec's
 * interrupt_mode is "signal", so the server sends SIGINT to the kernel's process group). A
 * `%%writefile` flow burning the CPU in a foreach is run from a code cell (`await Flow.run(...)`) and
 * with `%flow run --executor processes`; each cell ends with the run's "interrupted" error (the run's
 * pathspec, how to resume), the burning workers are gone, and `%flow resume` finishes the run.
 */
import { randomUUID } from "node:crypto";
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { Kernel, KernelMessage } from "@jupyterlab/services";
import { afterAll, beforeAll, expect, it } from "vitest";
import { JupyterSandbox } from "./jupyter-harness.js";

// Split 0 is quick; the others burn the CPU for ten minutes, unless quick.txt exists (for the resume).
const FLOW_FILE = `%%writefile long_burn.ts
import { existsSync } from "node:fs";
import { FlowSpec, step } from "wbflow";
export class LongBurn extends FlowSpec {
  @step start() { (this as any).parts = [0, 1, 2, 3]; this.next(this.burn, { foreach: "parts" }); }
  @step burn() {
    const part = this.input as number;
    console.log("burning " + part + " in " + process.pid);
    const until = Date.now() + (part === 0 || existsSync("quick.txt") ? 0 : 600_000);
    let x = 0;
    while (Date.now() < until) x += Math.sqrt(x + 1); // busy: only ending the process stops it
    (this as any).y = part * 10;
    this.next(this.join);
  }
  @step join(inputs: any) { (this as any).ys = inputs.map((i: any) => i.y); this.next(this.end); }
  @step end() {}
}`;

const mark = randomUUID();
let sandbox: JupyterSandbox;
beforeAll(() => {
  sandbox = new JupyterSandbox({ WBFLOW_TEST_MARK: mark });
});
afterAll(async () => {
  await sandbox?.dispose();
});

/** Pids of live processes started with our mark whose command line contains `text`. */
function markedProcesses(text: string): number[] {
  return readdirSync("/proc")
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/environ`, "utf8").split("\0").includes(`WBFLOW_TEST_MARK=${mark}`) && readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(text);
      } catch {
        return false; // gone, or not ours to read
      }
    })
    .map(Number);
}

interface CellReply {
  status: string;
  ename?: string;
  evalue?: string;
}

/** Runs `code`; once splits 1 and 2 are burning on two workers, interrupts the kernel. Resolves with the reply and the burning pids. */
async function runAndInterrupt(kernel: Kernel.IKernelConnection, code: string): Promise<{ reply: CellReply; burning: Map<number, number>; panels: string[] }> {
  const burning = new Map<number, number>();
  const panels = new Map<string, string>(); // display id -> its last text (the live run panel)
  const future = kernel.requestExecute({ code, stop_on_error: false });
  let interrupted: Promise<void> | undefined;
  future.onIOPub = (message: KernelMessage.IIOPubMessage) => {
    const content = message.content as { data?: Record<string, unknown>; transient?: { display_id?: string } };
    if (content.transient?.display_id && content.data) panels.set(content.transient.display_id, String(content.data["text/plain"]));
    if (message.header.msg_type !== "stream") return;
    for (const match of String((message.content as { text: string }).text).matchAll(/burning (\d+) in (\d+)/g)) {
      burning.set(Number(match[1]), Number(match[2]));
    }
    if (!interrupted && burning.has(1) && burning.has(2)) interrupted = kernel.interrupt();
  };
  const reply = (await future.done).content as CellReply;
  await interrupted;
  return { reply, burning, panels: [...panels.values()] };
}

/** Runs `code` to the end; resolves with its reply and everything it printed. */
async function executeAndRead(kernel: Kernel.IKernelConnection, code: string): Promise<{ reply: CellReply; printed: string }> {
  const future = kernel.requestExecute({ code });
  let printed = "";
  future.onIOPub = (message) => {
    if (message.header.msg_type === "stream") printed += String((message.content as { text: string }).text);
  };
  return { reply: (await future.done).content as CellReply, printed };
}

function expectInterruptedRun(reply: CellReply): string {
  expect(reply.status).toBe("error");
  expect(reply.ename).toBe("FlowRunError");
  const match = /Flow LongBurn run (LongBurn\/\d+) was interrupted before it finished\./.exec(reply.evalue ?? "");
  expect(match, reply.evalue).not.toBeNull();
  expect(reply.evalue).toContain(`Stopped while running: ${match![1]}/burn/`);
  expect(reply.evalue).toContain("`%flow resume LongBurn`");
  return match![1]!;
}

it("the kernel's interrupt stops a flow's tasks in worker processes; the cell says which run and how to resume; %flow resume finishes it", async () => {
  await sandbox.withKernel(async (kernel) => {
    const run = async (code: string) => ((await kernel.requestExecute({ code }).done).content as CellReply);
    expect((await run(FLOW_FILE)).status).toBe("ok");
    expect((await run(`import { LongBurn } from "./long_burn";`)).status).toBe("ok");

    // A code cell awaiting the run ends with the run's own error, not tslab's bare "Interrupted asynchronously".
    const fromCode = await runAndInterrupt(kernel, `await LongBurn.run({}, { executor: "processes", maxWorkers: 2 });`);
    expectInterruptedRun(fromCode.reply);
    expect([...fromCode.burning.values()].filter((pid) => existsSync(`/proc/${pid}`))).toEqual([]);

    const fromMagic = await runAndInterrupt(kernel, `%flow run LongBurn --executor processes --max-workers 2`);
    const pathspec = expectInterruptedRun(fromMagic.reply);
    expect(fromMagic.panels.some((text) => text.startsWith(`Interrupted ${pathspec} `)), fromMagic.panels.join("\n")).toBe(true);
    expect([...fromMagic.burning.values()].filter((pid) => existsSync(`/proc/${pid}`))).toEqual([]);

    // The kernel still works, and resumes the interrupted run to the end in worker processes.
    expect((await run(`require("node:fs").writeFileSync("quick.txt", "");`)).status).toBe("ok");
    expect(await run(`%flow resume LongBurn --executor processes --max-workers 2`)).toMatchObject({ status: "ok" });
    const { reply: resumed, printed } = await executeAndRead(
      kernel,
      `import { Flow } from "wbflow";
const latest = (await new Flow("LongBurn").latestRun())!;
console.log("RESUMED", await latest.successful(), await latest.originPathspec());`,
    );
    expect(resumed.status).toBe("ok");
    expect(printed).toContain(`RESUMED true ${pathspec}`);
  });
  // The kernel has shut down: no process it started is left. Its idle workers end as it exits, or, when Jupyter
  // had to kill a kernel slow to exit, once they see it gone: waited for (a worker left behind stays for minutes).
  const deadline = Date.now() + 30_000;
  while (markedProcesses("worker-main").length > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  expect(markedProcesses("worker-main")).toEqual([]);
}, 300_000);

// In-process, a running step cannot be stopped: its tasks wait for go.txt, which the test writes once
// the kernel has been interrupted; the run must then end without starting another task.
const IN_PROCESS_FLOW = `import { existsSync } from "node:fs";
import { FlowSpec, step } from "wbflow";
class Gated extends FlowSpec {
  @step start() { (this as any).parts = [0, 1, 2, 3]; this.next(this.wait, { foreach: "parts" }); }
  @step async wait() {
    console.log("waiting " + this.input);
    while (!existsSync("go.txt")) await new Promise((resolve) => setTimeout(resolve, 20));
    this.next(this.join);
  }
  @step join(inputs: any) { this.next(this.end); }
  @step end() {}
}`;

for (const [how, code] of [
  ["a code cell awaiting it", "await Gated.run({}, { maxWorkers: 2 });"],
  ["%flow run", "%flow run Gated --max-workers 2"],
] as const) {
  it(`in-process (${how}): the interrupt lets the running steps finish, starts no other task, and the cell says the run was interrupted`, async () => {
    const go = path.join(sandbox.work, "go.txt");
    rmSync(go, { force: true });
    await sandbox.withKernel(async (kernel) => {
      expect(((await kernel.requestExecute({ code: IN_PROCESS_FLOW }).done).content as CellReply).status).toBe("ok");
      const future = kernel.requestExecute({ code, stop_on_error: false });
      let printed = "";
      let interrupted: Promise<void> | undefined;
      future.onIOPub = (message: KernelMessage.IIOPubMessage) => {
        if (message.header.msg_type === "stream") printed += String((message.content as { text: string }).text);
        if (!interrupted && printed.includes("waiting 0") && printed.includes("waiting 1")) {
          interrupted = kernel.interrupt().then(() => writeFileSync(go, ""));
        }
      };
      const reply = (await future.done).content as CellReply;
      expect(reply.status).toBe("error");
      expect(reply.ename).toBe("FlowRunError");
      expect(reply.evalue).toMatch(/^Flow Gated run Gated\/\d+ was interrupted before it finished\. Tasks that finished are saved;/);
      expect(printed).not.toContain("waiting 2");
      const { printed: after } = await executeAndRead(
        kernel,
        `import { Flow } from "wbflow";
const latest = (await new Flow("Gated").latestRun())!;
let waits = 0;
for await (const _task of latest.step("wait")) waits++;
console.log("RUN", waits, (await latest.steps()).map((s) => s.id).sort().join(","), await latest.finished());`,
      );
      expect(after).toContain("RUN 2 start,wait false"); // the two running steps finished; nothing else ran
    });
  }, 300_000);
}

it("a %flow run cell whose in-process steps keep awaiting stops waiting after the interrupt's grace; the run ends in the background without starting a task", async () => {
  const go = path.join(sandbox.work, "go.txt");
  rmSync(go, { force: true });
  await sandbox.withKernel(async (kernel) => {
    expect(((await kernel.requestExecute({ code: IN_PROCESS_FLOW }).done).content as CellReply).status).toBe("ok");
    const future = kernel.requestExecute({ code: "%flow run Gated --max-workers 2", stop_on_error: false });
    let printed = "";
    let interrupted: Promise<void> | undefined;
    future.onIOPub = (message: KernelMessage.IIOPubMessage) => {
      if (message.header.msg_type === "stream") printed += String((message.content as { text: string }).text);
      if (!interrupted && printed.includes("waiting 0") && printed.includes("waiting 1")) interrupted = kernel.interrupt();
    };
    const reply = (await future.done).content as CellReply;
    expect(reply).toMatchObject({ status: "error", ename: "CellInterruptedError" });
    expect(reply.evalue).toContain("steps still running in this kernel end in the background");
    expect(((await kernel.requestExecute({ code: "6 * 7" }).done).content as CellReply).status).toBe("ok");

    writeFileSync(go, ""); // the two running steps return now
    const { printed: after } = await executeAndRead(
      kernel,
      `import { Flow } from "wbflow";
const latest = (await new Flow("Gated").latestRun())!;
for (;;) {
  const waits = [];
  for await (const task of latest.step("wait")) waits.push(task);
  if ((await Promise.all(waits.map((task) => task.finished()))).every(Boolean)) break;
  await new Promise((resolve) => setTimeout(resolve, 50));
}
await new Promise((resolve) => setTimeout(resolve, 200));
let waits = 0;
for await (const _task of latest.step("wait")) waits++;
console.log("RUN", waits, (await latest.steps()).map((s) => s.id).sort().join(","), await latest.finished());`,
    );
    expect(after).toContain("RUN 2 start,wait false");
  });
}, 300_000);
