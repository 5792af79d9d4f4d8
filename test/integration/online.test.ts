/**
 * `@wandb_log` against a W&B server: the protocol test server on loopback. Runs, config, summary and
 * exact-version lineage land on the server as they do offline.
 */
import { afterEach, beforeEach, expect, test } from "vitest";
import { tuneOnlineRuns } from "../../src/wandb/online/online-backend-factory.js";
import { recordingTiming } from "../online/recording-timing.js";
import { startProtocolServer, TEST_USER, type ProtocolServer } from "../support/protocol-server/protocol-server.js";
import { loadFlows } from "./load-flows.js";
import { workspace, type Workspace } from "./workspace.js";

let server: ProtocolServer;
let ws: Workspace;
beforeEach(async () => {
  server = await startProtocolServer();
  tuneOnlineRuns({ timing: recordingTiming(), notify: () => undefined });
});
afterEach(async () => {
  ws.restore();
  tuneOnlineRuns({});
  await server.close();
});

test("an online flow run reaches the server: runs by group, config, summary, artifacts and exact lineage", async () => {
  ws = workspace("OnlineFlow", { WANDB_MODE: "online", WANDB_API_KEY: TEST_USER.apiKey, WANDB_BASE_URL: server.url });
  const { OnlineFlow } = loadFlows(
    `
import { FlowSpec, step, Parameter } from "wbflow";
import { wandb_log } from "wbflow/wandb";
import * as aq from "arquero";
@wandb_log({ datasets: true })
export class OnlineFlow extends FlowSpec {
  lr = Parameter("lr", { default: 0.1 });
  @step start() { this.raw_df = aq.table({ x: [1, 2, 3] }); this.next(this.train); }
  @step train() { this.rows = this.raw_df.numRows(); this.next(this.end); }
  @step end() {}
}`,
    { mode: "legacy", useDefineForClassFields: false },
  );
  const flowRun = await OnlineFlow.run({}, { datastore: ws.datastore });
  expect(server.rejectedDocuments).toEqual([]);
  const snapshot = server.state.snapshot();
  const runs = Object.entries(snapshot.runs).filter(([, run]) => run.group === `OnlineFlow/${flowRun.runId}`);
  expect(runs.map(([, run]) => [run.jobType, run.state]).sort()).toEqual([
    ["end", "finished"],
    ["start", "finished"],
    ["train", "finished"],
  ]);
  const pathOf = (jobType: string) => runs.find(([, run]) => run.jobType === jobType)![0];
  const train = runs.find(([, run]) => run.jobType === "train")![1];
  expect(train.config).toEqual({ lr: { value: 0.1 } });
  expect(train.summary).toMatchObject({ rows: 3 });
  expect(snapshot.artifacts[`${TEST_USER.entity}/OnlineFlow/raw_df`]).toEqual([
    expect.objectContaining({ version: "v0", producer: pathOf("start"), consumers: [pathOf("train")] }),
  ]);
  // Online, the run line links to the run's page (the server's app URL, here the server itself).
  const trainId = pathOf("train").split("/").pop();
  expect(ws.lines).toContain(`wandb: OnlineFlow/${flowRun.runId}/train/2 -> run ${trainId}, ${server.url}/${TEST_USER.entity}/OnlineFlow/runs/${trainId}`);
});
