/**
 * `%wandb offline`, a flow logged offline, then `%wandb sync --all` to the W&B protocol test server
 * (with an upload progress bar), `%wandb ENTITY/PROJECT` as an inline page, and `%wandb` alone
 * showing the session's latest run (offline: where it is; online: its page) — in the real kernel.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TEST_USER, startProtocolServer, type ProtocolServer } from "../support/protocol-server/protocol-server.js";
import { JupyterSandbox, errorOutputs, mimeText, notebookOf } from "../notebooks/jupyter-harness.js";

describe("%wandb sync and inline pages", () => {
  let server: ProtocolServer;
  let sandbox: JupyterSandbox;
  beforeAll(async () => {
    server = await startProtocolServer();
    sandbox = new JupyterSandbox({ WANDB_API_KEY: TEST_USER.apiKey, WANDB_BASE_URL: server.url, WANDB_APP_URL: "http://127.0.0.1:1/app" });
  });
  afterAll(async () => {
    await sandbox.dispose();
    await server.close();
  });

  it("logs offline, syncs with a progress bar, shows the project page, then the session's latest run", async () => {
    const executed = await sandbox.nbconvert(
      // Each magic in its own cell so outputs are easy to find.
      notebookOf(
        "%wandb offline",
        `import { FlowSpec, step } from "wbflow";
import { wandb_log } from "wbflow/wandb";
import * as aq from "arquero";
@wandb_log({ datasets: true })
class SyncFlow extends FlowSpec {
  table!: aq.ColumnTable;
  @step start() { this.table = aq.table({ a: [1, 2, 3] }); this.next(this.end); }
  @step end() {}
}`,
        "%wandb\n%wandb project SyncFlow",
        "await SyncFlow.run();",
        "%wandb online",
        "%wandb sync --all",
        "%wandb tester-entity/SyncFlow -h 300",
        "%%wandb tester-entity/SyncFlow\nconst inCell = 6 * 7;\ninCell",
        // %wandb with no path: the run this session started last (the flow's last step, offline).
        "%wandb",
        `import { init } from "wbflow/wandb";
const recent = await init({ project: "Recent", id: "recent01" });
await recent.finish();`,
        "%wandb -h 200",
      ),
      { name: "sync" },
    );
    expect(errorOutputs(executed)).toEqual([]);
    expect(mimeText(executed, 2, "text/plain")).toContain("offline in this session");
    const sync = mimeText(executed, 5, "text/html");
    expect(sync).toContain('class="wbflow-sync-table"');
    expect(sync).toContain("2 synced, 0 already synced, 0 failed.");
    expect(mimeText(executed, 5, "text/plain")).toMatch(/uploading table\s+\[█+\]/);
    expect(mimeText(executed, 6, "text/html")).toBe(
      '<iframe src="http://127.0.0.1:1/app/tester-entity/SyncFlow?jupyter=true" style="border:none;width:100%;height:300px;"></iframe>',
    );
    // %%wandb: the page, then the cell's own result.
    expect(mimeText(executed, 7, "text/html")).toContain('src="http://127.0.0.1:1/app/tester-entity/SyncFlow?jupyter=true"');
    expect(mimeText(executed, 7, "text/plain")).toContain("42");
    expect(mimeText(executed, 8, "text/plain")).toMatch(
      /^The most recent run of this session, \w+ \(project SyncFlow\), was logged offline, so it has no W&B page\. It is kept in \S+offline-run-\S+; run %wandb login, then %wandb sync \S+offline-run-/,
    );
    expect(mimeText(executed, 10, "text/html")).toMatch(
      /^<iframe src="http:\/\/127\.0\.0\.1:1\/app\/tester-entity\/Recent\/runs\/recent01\?jupyter=true" style="border:none;width:100%;height:200px;"><\/iframe>$/,
    );
    expect(server.state.runs.length).toBe(3);
    expect(JSON.stringify(executed)).not.toContain(TEST_USER.apiKey);
  });
});
