/**
 * The whole product online vs offline: the same `@wandb_log` flow run online against one protocol
 * server, and offline then synced (`syncRuns`, the code behind `wbflow sync`) to another, ends with
 * the same server state — runs, groups, job types, config, summary, history, console, run files,
 * artifacts with their bytes, versions, aliases and lineage edges. Ids and times differ between two
 * executions, so both states are normalised the same way before comparing.
 */
import path from "node:path";
import { afterEach, beforeEach, expect, test } from "vitest";
import { tuneOnlineRuns } from "../../src/wandb/online/online-backend-factory.js";
import { syncRuns } from "../../src/wandb/sync/sync.js";
import { startProtocolServer, TEST_USER, type ProtocolServer } from "../support/protocol-server/protocol-server.js";
import type { ServerSnapshot } from "../support/protocol-server/server-state.js";
import { loadFlows } from "../integration/load-flows.js";
import { workspace, type Workspace } from "../integration/workspace.js";
import { recordingTiming } from "./recording-timing.js";

const FLOW = `
import { FlowSpec, step, Parameter } from "wbflow";
import { wandb_log } from "wbflow/wandb";
import * as aq from "arquero";
@wandb_log({ datasets: true, models: true })
export class SyncedFlow extends FlowSpec {
  alpha = Parameter("alpha", { default: 0.5 });
  @step start() {
    this.raw_df = aq.table({ x: [1, 2, 3], y: [2, 4, 6] });
    this.next(this.train);
  }
  @step train() {
    this.model = { kind: "linear", slope: 2 * this.alpha };
    this.accuracy = 0.93;
    this.next(this.end);
  }
  @step end() { this.rows = this.raw_df.numRows(); }
}`;

let online: ProtocolServer;
let synced: ProtocolServer;
const workspaces: Workspace[] = [];
beforeEach(async () => {
  online = await startProtocolServer();
  synced = await startProtocolServer();
  tuneOnlineRuns({ timing: recordingTiming(), notify: () => undefined });
});
afterEach(async () => {
  for (const ws of workspaces.splice(0)) ws.restore();
  tuneOnlineRuns({});
  await Promise.all([online.close(), synced.close()]);
});

const TIME_KEYS = new Set(["_runtime", "_timestamp", "_wandb"]);
function withoutTimes(value: unknown): unknown {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return value;
  return Object.fromEntries(Object.entries(value).filter(([key]) => !TIME_KEYS.has(key)));
}

/** Replaces run ids by `<jobType>` and the flow run id by `<run>`; drops times and process facts. */
function normalise(raw: ServerSnapshot) {
  // The flow run id (a time-based number) appears in groups, notes and artifact metadata.
  const flowRunId = Object.values(raw.runs)[0]!.group!.split("/").pop()!;
  const snapshot = JSON.parse(JSON.stringify(raw).split(flowRunId).join("<run>")) as ServerSnapshot;
  const names = new Map<string, string>();
  for (const [runPath, run] of Object.entries(snapshot.runs)) names.set(runPath, `run:${run.jobType}`);
  const rename = (runPath: string | null) => (runPath === null ? null : (names.get(runPath) ?? `unknown:${runPath}`));
  const runs = Object.fromEntries(
    Object.values(snapshot.runs).map((run) => {
      const files = { ...run.files };
      delete files["wandb-metadata.json"]; // the process that ran it
      delete files["wandb-summary.json"]; // holds _runtime
      delete files["output.log"]; // holds timestamps; the lines are compared below
      return [
        `run:${run.jobType}`,
        {
          ...run,
          displayName: run.displayName.replace(/\/\d+/g, "/<n>"),
          history: run.history.map(withoutTimes),
          summary: withoutTimes(run.summary),
          output: run.output.map((line) => line.replace(/^(ERROR )?\S+ /, "$1<time> ")),
          files,
        },
      ];
    }),
  );
  const artifacts = Object.fromEntries(
    Object.entries(snapshot.artifacts).map(([name, versions]) => [
      name,
      versions.map((v) => ({ ...v, producer: rename(v.producer), consumers: v.consumers.map(rename).sort() })),
    ]),
  );
  return { runs, artifacts };
}

async function runFlow(mode: "online" | "offline", server: ProtocolServer) {
  const ws = workspace("SyncedFlow", { WANDB_MODE: mode, WANDB_API_KEY: TEST_USER.apiKey, WANDB_BASE_URL: server.url });
  workspaces.push(ws);
  const { SyncedFlow } = loadFlows(FLOW, { mode: "legacy", useDefineForClassFields: false });
  await SyncedFlow.run({ alpha: 0.25 }, { datastore: ws.datastore });
  return ws;
}

test("a @wandb_log flow synced from offline gives the same server state as the flow run online", async () => {
  await runFlow("online", online);
  const offline = await runFlow("offline", synced);
  expect(synced.requests).toEqual([]); // offline means no network
  const results = await syncRuns({
    allIn: path.join(offline.dir, "wandb"),
    connection: { baseUrl: synced.url, apiKey: TEST_USER.apiKey, timing: recordingTiming() },
    notify: () => undefined,
  });
  expect(results.map((r) => r.status)).toEqual(["synced", "synced", "synced"]);
  expect(online.rejectedDocuments).toEqual([]);
  expect(synced.rejectedDocuments).toEqual([]);

  const expected = normalise(online.state.snapshot());
  expect(Object.keys(expected.runs).sort()).toEqual(["run:end", "run:start", "run:train"]);
  expect(expected.artifacts[`${TEST_USER.entity}/SyncedFlow/raw_df`]?.[0]?.consumers.length).toBeGreaterThan(0);
  expect(normalise(synced.state.snapshot())).toEqual(expected);
  // and the artifact bytes themselves are on the synced server
  for (const versions of Object.values(synced.state.snapshot().artifacts)) {
    for (const file of Object.values(versions[0]!.files)) expect(synced.state.blobs.get(file)?.bytes).toBeDefined();
  }
});

test("under injected faults the online flow ends with the same server state, without duplicates", async () => {
  await runFlow("online", online);
  const faulty = synced;
  for (const operationName of ["UpsertBucket", "CreateArtifact", "CreateArtifactFiles", "CommitArtifact", "UseArtifact", "CreateRunFiles"]) {
    faulty.faults.inject({ route: "graphql", operationName }, { kind: "lost-response" });
  }
  faulty.faults.inject({ route: "graphql", operationName: "CreateArtifactManifest" }, { kind: "rate-limit", retryAfterSeconds: 2 });
  faulty.faults.inject({ route: "file_stream" }, { kind: "lost-response" }, 2);
  faulty.faults.inject({ route: "file_stream" }, { kind: "reset" });
  faulty.faults.inject({ route: "upload" }, { kind: "status", status: 500 });
  faulty.faults.inject({ route: "upload" }, { kind: "lost-response" });
  await runFlow("online", faulty);
  expect(faulty.faults.pending).toBe(0);
  expect(faulty.state.runs).toHaveLength(3);
  expect(normalise(faulty.state.snapshot())).toEqual(normalise(online.state.snapshot()));
});
