/**
 * `tbl:vN` is W&B's number wherever a flow shows it (issue 13, item 4). Online, each task of an
 * 8-way foreach prints and records the number the server gave its version — the server numbers
 * versions in the order their commits arrive, which here is neither the local registry's order nor
 * its numbers. Against a dead server the line says the number is local. After an offline run is
 * synced, the report, the kernel's tables and lineage and the client show the server's numbers.
 */
import { mkdtempSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, expect, test } from "vitest";
import type { FlowRun } from "../../src/flow/runtime/run-handle.js";
import { flowRunWandbReport } from "../../src/integration/report/flow-run-report.js";
import { taskWandbRecordOf } from "../../src/integration/wandb-log/task-wandb-record.js";
import { buildRunReport } from "../../src/kernel/flow-view/run-report-builder.js";
import { Artifact } from "../../src/wandb/artifacts/artifact.js";
import { LocalArtifacts } from "../../src/wandb/offline/local-artifacts.js";
import { tuneOnlineRuns } from "../../src/wandb/online/online-backend-factory.js";
import { LIVE_RUN_PATIENCE_MS } from "../../src/wandb/online/http/retry-policy.js";
import { init } from "../../src/wandb/run/init.js";
import { syncRuns } from "../../src/wandb/sync/sync.js";
import { recordingTiming } from "../online/recording-timing.js";
import { startProtocolServer, TEST_USER, type ProtocolServer } from "../support/protocol-server/protocol-server.js";
import { LEGACY } from "./fixtures.js";
import { loadFlows } from "./load-flows.js";
import { workspace, type Workspace } from "./workspace.js";

const SPLITS = 8;
const FLOW = `
import { FlowSpec, step } from "wbflow";
import { wandb_log } from "wbflow/wandb";
import * as aq from "arquero";
@wandb_log({ datasets: true })
export class VersionsFlow extends FlowSpec {
  @step start() { this.parts = Array.from({ length: ${SPLITS} }, (_, i) => i); this.next(this.make, { foreach: "parts" }); }
  @step make() { this.tbl = aq.table({ part: [this.input], label: ["part " + this.input] }); this.next(this.join); }
  @step join(inputs: any) { this.total = inputs.reduce((n: number, i: any) => n + i.tbl.numRows(), 0); this.next(this.end); }
  @step end() {}
}`;

let server: ProtocolServer;
let ws: Workspace | undefined;
beforeEach(async () => {
  server = await startProtocolServer();
  tuneOnlineRuns({ timing: recordingTiming(), notify: () => undefined });
});
afterEach(async () => {
  ws?.restore();
  ws = undefined;
  tuneOnlineRuns({});
  await server.close();
});

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const listener = createServer();
  await new Promise<void>((resolve) => listener.listen(0, "127.0.0.1", resolve));
  const { port } = listener.address() as { port: number };
  await new Promise((resolve) => listener.close(resolve));
  return port;
}

/** Another machine logs two versions of `tbl` first, so the server's numbering starts with them. */
async function versionsFromElsewhere(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), "wbflow-elsewhere-"));
  const run = await init(
    { project: "VersionsFlow", mode: "online", dir, settings: { base_url: server.url, api_key: TEST_USER.apiKey } },
    { env: {}, home: dir, cwd: dir, print: () => undefined },
  );
  for (const text of ["from another machine", "and another"]) {
    const artifact = new Artifact("tbl", "dataset");
    artifact.newFile("rows.txt").end(text);
    await run.logArtifact(artifact);
  }
  await run.finish();
}

/** The server's own numbering of `tbl`, by digest. */
function serverNumbers(): Map<string, string> {
  const versions = server.state.snapshot().artifacts[`${TEST_USER.entity}/VersionsFlow/tbl`] ?? [];
  return new Map(versions.map((v) => [v.digest, v.version]));
}

/** Each `make` task's recorded `tbl` version (digest, version, who numbered it) and its `logged` line. */
async function makeTasks(flowRun: FlowRun, workspace: Workspace) {
  const tasks = flowRun.tasks.filter((t) => t.stepName === "make");
  expect(tasks).toHaveLength(SPLITS);
  return Promise.all(
    tasks.map(async (task) => {
      const stored = await workspace.datastore.readTask({ flowName: "VersionsFlow", runId: flowRun.runId, ...task });
      const record = taskWandbRecordOf(stored.metadata)!.artifacts["tbl"]!;
      const lines = workspace.lines.filter((line) => new RegExp(`^wandb: make\\[\\d+\\]/${task.taskId} logged tbl:`).test(line));
      return { record, lines };
    }),
  );
}

test("online 8-way foreach: every logged line and datastore record carry the server's number, which differs from the local one", async () => {
  await versionsFromElsewhere();
  // The commit that arrives first is held until the 7 others are committed: the server numbers it last.
  const othersCommitted = (async () => {
    while (serverNumbers().size < 2 + SPLITS - 1) await new Promise((resolve) => setTimeout(resolve, 10));
  })();
  server.faults.inject({ route: "graphql", operationName: "CommitArtifact" }, { kind: "held", release: othersCommitted });
  ws = workspace("VersionsFlow", { WANDB_MODE: "online", WANDB_API_KEY: TEST_USER.apiKey, WANDB_BASE_URL: server.url });
  const { VersionsFlow } = loadFlows(FLOW, LEGACY);
  const flowRun = await VersionsFlow.run({}, { datastore: ws.datastore, maxWorkers: SPLITS });
  expect(server.rejectedDocuments).toEqual([]);
  expect(server.faults.pending).toBe(0);

  const numbers = serverNumbers();
  expect(numbers.size).toBe(SPLITS + 2);
  const local = new LocalArtifacts(path.join(ws.dir, "wandb"), ws.dir);
  const localNumbers = new Map((await local.registry.versions("VersionsFlow", "tbl")).map((v) => [v.digest, `v${v.version}`]));
  const made = await makeTasks(flowRun, ws);
  // The local registry numbered the contents otherwise (its own order, from v0): what tasks used to show.
  const differ = made.filter(({ record }) => localNumbers.get(record.digest) !== numbers.get(record.digest));
  expect(differ.length).toBeGreaterThan(0);
  for (const { record, lines } of made) {
    const onServer = numbers.get(record.digest);
    expect(onServer).toBeDefined();
    expect(record).toMatchObject({ version: onServer, numberedBy: "server" });
    expect(lines).toEqual([expect.stringMatching(new RegExp(`logged tbl:${onServer} \\(dataset, [^,)]+\\)$`))]);
  }
  // The join used exactly these versions, shown by the server's numbers too.
  const used = ws.lines.filter((line) => /^wandb: join\/\d+ used tbl:/.test(line)).map((line) => /tbl:(v\d+)/.exec(line)![1]);
  expect(used.sort()).toEqual(made.map(({ record }) => record.version).sort());
  const onServer = server.state.snapshot().artifacts[`${TEST_USER.entity}/VersionsFlow/tbl`]!;
  for (const version of onServer.slice(2)) expect(version.consumers).toHaveLength(1);
  // Readers of the datastore agree: the report lists each version under the server's number.
  const report = await flowRunWandbReport(flowRun);
  const tbl = report.versions.filter((v) => v.name === "tbl");
  expect(tbl.map((v) => [v.digest, v.version]).sort()).toEqual(made.map(({ record }) => [record.digest, record.version]).sort());
});

test("online against a dead server: the line says the number is local, and the record does not claim the server's", async () => {
  ws = workspace("VersionsFlow", { WANDB_MODE: "online", WANDB_API_KEY: TEST_USER.apiKey, WANDB_BASE_URL: `http://127.0.0.1:${await closedPort()}` });
  const { VersionsFlow } = loadFlows(FLOW, LEGACY);
  const flowRun = await VersionsFlow.run({}, { datastore: ws.datastore });
  for (const { record, lines } of await makeTasks(flowRun, ws)) {
    expect(record.numberedBy).toBeUndefined();
    expect(lines).toEqual([expect.stringMatching(new RegExp(`logged tbl:${record.version} \\(dataset, [^,)]+, local number: W&B numbers it at sync\\)$`))]);
  }
});

test("a server that stops answering before the commits: lines say local within the 30 s bound; after a sync the report shows W&B's numbers", async () => {
  await versionsFromElsewhere();
  const timing = recordingTiming();
  tuneOnlineRuns({ timing, notify: () => undefined });
  // Runs are created, then every commit loses its connection: the server no longer answers.
  server.faults.inject({ route: "graphql", operationName: "CommitArtifact" }, { kind: "reset" }, 10_000);
  ws = workspace("VersionsFlow", { WANDB_MODE: "online", WANDB_API_KEY: TEST_USER.apiKey, WANDB_BASE_URL: server.url });
  const { VersionsFlow } = loadFlows(FLOW, LEGACY);
  const flowRun = await VersionsFlow.run({}, { datastore: ws.datastore, maxWorkers: SPLITS });
  // Each task's run retried, then gave up after at most 30 s without an answer (injected time, summed over the 8 runs).
  const waited = timing.sleeps.reduce((sum, ms) => sum + ms, 0);
  expect(waited).toBeGreaterThan(0);
  expect(waited).toBeLessThanOrEqual(SPLITS * LIVE_RUN_PATIENCE_MS);
  const made = await makeTasks(flowRun, ws);
  for (const { record, lines } of made) {
    expect(record.numberedBy).toBeUndefined();
    expect(lines).toEqual([expect.stringContaining(`logged tbl:${record.version} (dataset, `)]);
    expect(lines[0]).toContain(", local number: W&B numbers it at sync)");
  }
  server.faults.clear();
  const results = await syncRuns({
    allIn: path.join(ws.dir, "wandb"),
    connection: { baseUrl: server.url, apiKey: TEST_USER.apiKey, timing: recordingTiming() },
    notify: () => undefined,
  });
  expect(results.every((r) => r.status !== "failed")).toBe(true);
  const numbers = serverNumbers();
  const report = await flowRunWandbReport(flowRun);
  expect(report.versions.map((v) => [v.digest, v.version]).sort()).toEqual(made.map(({ record }) => [record.digest, numbers.get(record.digest)]).sort());
});

test("an offline run synced afterwards: the report, the kernel's artifact table and lineage show the server's numbers", async () => {
  await versionsFromElsewhere();
  ws = workspace("VersionsFlow");
  const { VersionsFlow } = loadFlows(FLOW, LEGACY);
  const flowRun = await VersionsFlow.run({}, { datastore: ws.datastore });
  const made = await makeTasks(flowRun, ws);
  // Offline, lines and records carry the local registry's numbers (nothing claims to be W&B's).
  expect(made.map(({ record }) => record.version).sort()).toEqual(Array.from({ length: SPLITS }, (_, i) => `v${i}`).sort());
  for (const { record } of made) expect(record.numberedBy).toBeUndefined();

  const results = await syncRuns({
    allIn: path.join(ws.dir, "wandb"),
    connection: { baseUrl: server.url, apiKey: TEST_USER.apiKey, timing: recordingTiming() },
    notify: () => undefined,
  });
  expect(results.every((r) => r.status === "synced")).toBe(true);
  const numbers = serverNumbers();
  const expected = made.map(({ record }) => `tbl:${numbers.get(record.digest)}`).sort();
  expect(expected).toHaveLength(SPLITS);
  expect(expected).not.toContain("tbl:undefined");

  const report = await flowRunWandbReport(flowRun);
  expect(report.versions.map((v) => `${v.name}:${v.version}`).sort()).toEqual(expected);
  expect(report.lineage.artifacts.map((a) => a.label).sort()).toEqual(expected);
  // Every version keeps its producer (a make task) and its consumer (the join) under its new number.
  for (const version of report.versions) {
    const id = `artifact:VersionsFlow/${version.name}:${version.version}`;
    expect(report.lineage.edges.filter((e) => e.to === id)).toHaveLength(1);
    expect(report.lineage.edges.filter((e) => e.from === id)).toHaveLength(1);
  }
  const kernelReport = await buildRunReport(flowRun);
  expect(kernelReport.artifacts.map((row) => `${row.name}:${row.version}`).sort()).toEqual(expected);
  for (const { record } of made) {
    const row = kernelReport.artifacts.find((r) => r.version === numbers.get(record.digest))!;
    expect(row.producer).toMatch(/^make\//);
    // The client reads the same content under the same number.
    expect((await ws.api.artifact(`tbl:${row.version}`)).digest).toBe(record.digest);
  }
});
