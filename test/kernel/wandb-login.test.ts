/**
 * `%wandb login` in the real kernel under real Jupyter clients, against the W&B protocol test server
 * on loopback. HOME (and so ~/.netrc) points into a temporary sandbox: the real ~/.netrc is never read.
 */
import { chmodSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TEST_USER, startProtocolServer, type ProtocolServer } from "../support/protocol-server/protocol-server.js";
import { JupyterSandbox, errorOutputs, mimeText, notebookOf, outputsOf } from "../notebooks/jupyter-harness.js";

describe("%wandb login", () => {
  let server: ProtocolServer;
  let sandbox: JupyterSandbox;
  let netrc: string;

  beforeAll(async () => {
    server = await startProtocolServer();
    sandbox = new JupyterSandbox({ WANDB_BASE_URL: "" });
    netrc = path.join(sandbox.home, ".netrc");
  });
  afterAll(async () => {
    await sandbox.dispose();
    await server.close();
  });

  const host = () => server.url;
  const allText = (value: unknown) => JSON.stringify(value);

  it("asks through a hidden stdin prompt, verifies, keeps other ~/.netrc entries and never shows the key", async () => {
    writeFileSync(netrc, "machine example.org\n  login me\n  password keep-this-one\n");
    chmodSync(netrc, 0o600);
    const prompts: [string, boolean][] = [];
    const executed = await sandbox.services(notebookOf(`%wandb login --host ${host()}`, "%wandb status"), {
      answerInput: (question, password) => {
        prompts.push([question, password]);
        return TEST_USER.apiKey;
      },
    });
    expect(prompts).toHaveLength(1);
    expect(prompts[0]![1]).toBe(true);
    expect(errorOutputs(executed)).toEqual([]);
    expect(mimeText(executed, 0, "text/plain")).toContain("Currently logged in as tester (entity tester-entity)");
    expect(mimeText(executed, 1, "text/plain")).toMatch(/mode\s+online/);
    expect(allText(executed)).not.toContain(TEST_USER.apiKey);
    const saved = readFileSync(netrc, "utf8");
    expect(saved).toContain("keep-this-one");
    expect(saved).toContain(TEST_USER.apiKey);
    expect(saved).toContain(new URL(host()).hostname);
    expect(statSync(netrc).mode & 0o777).toBe(0o600);
  });

  it("under nbconvert without stdin and without a key, says how to provide one", async () => {
    writeFileSync(netrc, "");
    const executed = await sandbox.nbconvert(notebookOf(`%wandb login --host ${host()}`, "%wandb status"), { allowErrors: true, name: "login-nostdin" });
    expect(outputsOf(executed, 0).find((o) => o.output_type === "error")).toMatchObject({ ename: "MagicUsageError" });
    const message = allText(outputsOf(executed, 0));
    expect(message).toContain("cannot ask for one");
    expect(message).toContain("WANDB_API_KEY");
    expect(message).toContain("wbflow login");
    expect(mimeText(executed, 1, "text/plain")).toMatch(/mode\s+offline/);
  });

  it("refuses a key the server rejects and a malformed key, saving nothing and echoing neither", async () => {
    writeFileSync(netrc, "machine example.org\n  login me\n  password keep-this-one\n");
    const rejected = "b".repeat(40);
    const malformed = "short-key";
    const executed = await sandbox.services(
      notebookOf(`%wandb login ${rejected} --host ${host()}`, `%wandb login --relogin --host ${host()}`, "%wandb status"),
      { answerInput: () => malformed },
    ).catch((error: { notebook?: unknown }) => error.notebook as ReturnType<typeof notebookOf>);
    // The first cell fails; the services runner stops there, like a notebook with stop_on_error.
    const first = outputsOf(executed, 0);
    expect(first.find((o) => o.output_type === "error")).toMatchObject({ ename: "MagicUsageError" });
    expect(allText(first)).toContain("refused this API key; nothing was saved");
    expect(allText(first)).toContain("now part of this cell's source");
    expect(allText(first)).not.toContain(rejected);
    expect(readFileSync(netrc, "utf8")).not.toContain(rejected);

    const second = await sandbox.services(notebookOf(`%wandb login --relogin --host ${host()}`), { answerInput: () => malformed }).catch(
      (error: { notebook?: unknown }) => error.notebook as ReturnType<typeof notebookOf>,
    );
    expect(allText(outputsOf(second, 0))).toContain("not valid");
    expect(allText(outputsOf(second, 0))).not.toContain(malformed);
    expect(readFileSync(netrc, "utf8")).toBe("machine example.org\n  login me\n  password keep-this-one\n");
  });

  it("uses WANDB_API_KEY when set, and an explicit key argument with a warning", async () => {
    const withEnv = new JupyterSandbox({ WANDB_API_KEY: TEST_USER.apiKey, WANDB_BASE_URL: server.url });
    try {
      const executed = await withEnv.nbconvert(notebookOf("%wandb login", `%wandb login ${TEST_USER.apiKey} --relogin`), { name: "login-env" });
      expect(errorOutputs(executed)).toEqual([]);
      expect(mimeText(executed, 0, "text/plain")).toContain("already configured (WANDB_API_KEY)");
      expect(allText(outputsOf(executed, 1))).toContain("now part of this cell's source");
      expect(allText(executed.cells.map((c) => c.outputs))).not.toContain(TEST_USER.apiKey);
    } finally {
      await withEnv.dispose();
    }
  });
});
