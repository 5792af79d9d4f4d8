/**
 * The kernel driven by real Jupyter clients: `jupyter nbconvert --execute` (nbclient, no stdin) and
 * `jupyter server` + `@jupyterlab/services` (with stdin), against the built kernel in dist/.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { JupyterSandbox, errorOutputs, mimeText, notebookOf, outputsOf } from "../notebooks/jupyter-harness.js";

const cells = [
  /* 0 */ "const answer: number = 40 + 2;\nanswer",
  /* 1 */ `import { display, liveDisplay, mimeBundleOf } from "wbflow/kernel";
class Badge { constructor(readonly label: string) {}
  toMimeBundle() { return { "text/plain": "badge " + this.label, "text/html": "<b>" + this.label + "</b>" }; } }
new Badge("ours")`,
  /* 2 */ `const deno = { [Symbol.for("Jupyter.display")]() { return { "image/svg+xml": "<svg xmlns='http://www.w3.org/2000/svg'/>" }; } };
await display(deno);
const live = await liveDisplay("step 1 of 2");
await live.update("done: 2 of 2");`,
  /* 3 */ "%lsmagic",
  /* 4 */ "const remainder = 17\n  % 5;\nremainder",
  /* 5 */ `console.log("to stdout"); console.error("to stderr");`,
];

describe("wbflow kernel under real Jupyter", () => {
  let sandbox: JupyterSandbox;
  beforeAll(() => {
    sandbox = new JupyterSandbox();
  });
  afterAll(async () => {
    await sandbox.dispose();
  });

  for (const client of ["nbconvert", "services"] as const) {
    it(`executes cells with rich results through ${client}`, async () => {
      const executed = client === "nbconvert" ? await sandbox.nbconvert(notebookOf(...cells)) : await sandbox.services(notebookOf(...cells));
      expect(errorOutputs(executed)).toEqual([]);
      expect(outputsOf(executed, 0)).toMatchObject([{ output_type: "execute_result", execution_count: 1 }]);
      expect(mimeText(executed, 0, "text/plain")).toBe("42");
      expect(mimeText(executed, 1, "text/html")).toBe("<b>ours</b>");
      expect(mimeText(executed, 1, "text/plain")).toBe("badge ours");
      expect(mimeText(executed, 2, "image/svg+xml")).toContain("<svg");
      // The live display was replaced in place: one output, showing the last state.
      expect(mimeText(executed, 2, "text/plain")).toContain("'done: 2 of 2'");
      expect(mimeText(executed, 2, "text/plain")).not.toContain("step 1");
      expect(mimeText(executed, 3, "text/plain")).toContain("Available line magics:");
      expect(mimeText(executed, 4, "text/plain")).toBe("2");
      expect(outputsOf(executed, 5)).toMatchObject([
        { output_type: "stream", name: "stdout", text: "to stdout\n" },
        { output_type: "stream", name: "stderr", text: "to stderr\n" },
      ]);
    });
  }

  it("reports type errors, runtime errors and bad magics as failed cells with clear messages", async () => {
    const executed = await sandbox.nbconvert(
      notebookOf("const s: string = 3;", "throw new RangeError('out of range: 7')", "%nosuchmagic", "%lsmagic --bad", "1 + 1"),
      { allowErrors: true, name: "errors" },
    );
    expect(mimeText(executed, 0, "stream")).toMatch(/Type 'number' is not assignable to type 'string'/);
    expect(outputsOf(executed, 1)).toMatchObject([{ output_type: "error", ename: "RangeError", evalue: "out of range: 7" }]);
    expect(outputsOf(executed, 2)).toMatchObject([{ output_type: "error", ename: "UnknownMagicError" }]);
    expect(outputsOf(executed, 3)).toMatchObject([{ output_type: "error", ename: "MagicArgumentError", evalue: "%lsmagic: unknown option --bad" }]);
    expect(mimeText(executed, 4, "text/plain")).toBe("2");
  });

  it("asks through stdin when the client allows it, hidden for passwords", async () => {
    const asked: [string, boolean][] = [];
    const executed = await sandbox.services(notebookOf(`import { prompt } from "wbflow/kernel";\nconst secret = await prompt("Token: ", { password: true });\nsecret.length`), {
      answerInput: (question, password) => {
        asked.push([question, password]);
        return "abc<script>";
      },
    });
    expect(asked).toEqual([["Token: ", true]]);
    expect(mimeText(executed, 0, "text/plain")).toBe("11");
  });

  it("says clearly that stdin is unavailable under nbconvert", async () => {
    const executed = await sandbox.nbconvert(notebookOf(`import { prompt } from "wbflow/kernel";\nawait prompt("Name: ")`), { allowErrors: true, name: "nostdin" });
    expect(outputsOf(executed, 0)).toMatchObject([{ output_type: "error", ename: "StdinUnavailableError" }]);
    expect(mimeText(executed, 0, "text/plain") + JSON.stringify(outputsOf(executed, 0))).toContain("does not accept input");
  });

  it("completes and inspects TypeScript with magic lines in the cell, and reports is_complete", async () => {
    await sandbox.withKernel(async (kernel) => {
      await kernel.requestExecute({ code: "const greeting = 'hello';" }).done;
      const code = "%lsmagic\ngreeting.toUpp";
      const completion = await kernel.requestComplete({ code, cursor_pos: code.length });
      expect(completion.content.status).toBe("ok");
      expect((completion.content as { matches: string[] }).matches).toContain("toUpperCase");
      const inspection = await kernel.requestInspect({ code: "%lsmagic\ngreeting", cursor_pos: 12, detail_level: 0 });
      expect(JSON.stringify(inspection.content)).toContain("const greeting");
      expect((await kernel.requestIsComplete({ code: "%flow show X\nfunction f() {" })).content.status).toBe("incomplete");
      expect((await kernel.requestIsComplete({ code: "%flow show X" })).content.status).toBe("complete");
    });
  });

  it("interrupts a waiting cell and keeps working", async () => {
    await sandbox.withKernel(async (kernel) => {
      expect((await kernel.requestExecute({ code: "1" }).done).content.status).toBe("ok");
      const waiting = kernel.requestExecute({ code: `console.log("waiting");\nawait new Promise(() => {});` });
      // Interrupt once the cell is really waiting (it printed), as a person pressing the stop button would.
      await new Promise<void>((resolve) => {
        waiting.onIOPub = (message) => {
          if (message.header.msg_type === "stream") resolve();
        };
      });
      await kernel.interrupt();
      const reply = await waiting.done;
      expect(reply.content.status).toBe("error");
      expect(JSON.stringify(reply.content)).toContain("Interrupted");
      const after = await kernel.requestExecute({ code: "6 * 7" }).done;
      expect(after.content.status).toBe("ok");
    });
  });

  it("delivers every line of a cell that prints thousands of lines at once", async () => {
    // One IOPub message per line would exceed Jupyter's rate limit (the server drops outputs) and
    // zeromq's ~512 sends per tick; the kernel batches stream text written in one tick.
    const executed = await sandbox.services(notebookOf("for (let i = 0; i < 3000; i++) console.log(`line ${i}`);\n'done'"));
    expect(errorOutputs(executed)).toEqual([]);
    const printed = mimeText(executed, 0, "stream").split("\n").filter((l) => l.startsWith("line "));
    expect(printed).toHaveLength(3000);
    expect(printed.at(-1)).toBe("line 2999");
    expect(mimeText(executed, 0, "text/plain")).toBe("'done'");
  });
});
