/**
 * A flow run → its W&B runs, versions and lineage (integration/report/), as the kernel's report and
 * any other reader (the CLI) get it: from the facts `@wandb_log` recorded (mode, W&B directory, the
 * run's page), never guessed from folder names or the reader's environment.
 */
import path from "node:path";
import { afterEach, expect, test } from "vitest";
import { buildRunReport } from "../../src/kernel/flow-view/run-report-builder.js";
import { flowRunWandbReport } from "../../src/integration/report/flow-run-report.js";
import { taskWandbRunOf } from "../../src/integration/report/task-wandb-run.js";
import { tuneOnlineRuns } from "../../src/wandb/online/online-backend-factory.js";
import { recordingTiming } from "../online/recording-timing.js";
import { startProtocolServer, TEST_USER, type ProtocolServer } from "../support/protocol-server/protocol-server.js";
import { LEGACY } from "./fixtures.js";
import { loadFlows } from "./load-flows.js";
import { workspace, type Workspace } from "./workspace.js";

const FLOW = `
import { FlowSpec, step } from "wbflow";
import { wandb_log } from "wbflow/wandb";
import * as aq from "arquero";
@wandb_log({ datasets: true })
export class ReportFlow extends FlowSpec {
  @step start() { this.raw_df = aq.table({ x: [1, 2, 3] }); this.next(this.train); }
  @step train() { this.rows = this.raw_df.numRows(); this.next(this.end); }
  @step end() {}
}`;

let ws: Workspace | undefined;
let server: ProtocolServer | undefined;
const savedWandbDir = process.env["WANDB_DIR"];
afterEach(async () => {
  ws?.restore();
  ws = undefined;
  tuneOnlineRuns({});
  await server?.close();
  server = undefined;
  if (savedWandbDir === undefined) delete process.env["WANDB_DIR"];
  else process.env["WANDB_DIR"] = savedWandbDir;
});

test("an offline flow run: its runs, exact versions and lineage, with or without the FlowRun's task list", async () => {
  ws = workspace("ReportFlow");
  const { ReportFlow } = loadFlows(FLOW, LEGACY);
  const flowRun = await ReportFlow.run({}, { datastore: ws.datastore });

  const report = await flowRunWandbReport(flowRun);
  expect(report.runs.map((r) => [r.stepName, r.mode, r.wandbDir, r.url])).toEqual([
    ["start", "offline", path.join(ws.dir, "wandb"), undefined],
    ["train", "offline", path.join(ws.dir, "wandb"), undefined],
    ["end", "offline", path.join(ws.dir, "wandb"), undefined],
  ]);
  expect(report.versions.map((v) => `${v.name}:${v.version}`)).toEqual(["raw_df:v0"]);
  const [start, train] = report.runs;
  expect(report.lineage.edges).toEqual([
    { from: `run:${start!.runId}`, to: "artifact:ReportFlow/raw_df:v0" },
    { from: "artifact:ReportFlow/raw_df:v0", to: `run:${train!.runId}` },
  ]);
  // A reader with only the flow run's name and id (the CLI) lists the tasks from the datastore.
  const listed = await flowRunWandbReport({ flowName: flowRun.flowName, runId: flowRun.runId, datastore: ws.datastore });
  expect(listed.runs.map((r) => r.runId).sort()).toEqual(report.runs.map((r) => r.runId).sort());
  expect(listed.lineage).toEqual(report.lineage);
});

test("the kernel's report finds the versions where the runs wrote them, whatever WANDB_DIR says when it is read", async () => {
  ws = workspace("ReportFlow");
  const { ReportFlow } = loadFlows(FLOW, LEGACY);
  const flowRun = await ReportFlow.run({}, { datastore: ws.datastore });
  process.env["WANDB_DIR"] = "elsewhere"; // relative: resolved against a reader's guess of the folder, it points nowhere
  const report = await buildRunReport(flowRun);
  expect(report.artifacts.map((a) => `${a.name}:${a.version}`)).toEqual(["raw_df:v0"]);
  expect(report.lineageSvg).toContain("<svg");
});

test("an online flow run links each task to the page the server gave its run", async () => {
  server = await startProtocolServer();
  tuneOnlineRuns({ timing: recordingTiming(), notify: () => undefined });
  ws = workspace("ReportFlow", { WANDB_MODE: "online", WANDB_API_KEY: TEST_USER.apiKey, WANDB_BASE_URL: server.url });
  const { ReportFlow } = loadFlows(FLOW, LEGACY);
  const flowRun = await ReportFlow.run({}, { datastore: ws.datastore });

  const report = await buildRunReport(flowRun); // the reader's environment names no server
  expect(report.syncCommand).toBeUndefined();
  expect(report.stepRuns.map((r) => r.url)).toEqual(
    report.stepRuns.map((r) => `${server!.url}/${TEST_USER.entity}/ReportFlow/runs/${r.runName}`),
  );
});

test("records written before the mode and W&B directory were recorded still read: from the run directory's name and parent", () => {
  const legacy = (dir: string) => ({
    wandb: { run: { id: "abc12345", project: "P", dir, exitCode: 0 }, artifacts: {} },
  });
  const task = { stepName: "start", taskId: "1" };
  expect(taskWandbRunOf(task, legacy("/w/wandb/offline-run-20240101_000000-abc12345"))).toMatchObject({ mode: "offline", wandbDir: "/w/wandb" });
  expect(taskWandbRunOf(task, legacy("/w/.wandb/run-20240101_000000-abc12345"))).toMatchObject({ mode: "online", wandbDir: "/w/.wandb" });
  expect(taskWandbRunOf(task, {})).toBeUndefined();
});
