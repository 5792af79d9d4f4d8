/**
 * `@wandb_log` with the `processes` executor: every task, run in a worker process, is its own W&B run
 * (group, job type, foreach index), outputs become artifacts, and each consumer uses its producer's
 * exact version — the same records as in-process.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect, test } from "vitest";
import { Api } from "../../src/wandb/api.js";
import { driveRun, flowWorkspace } from "../flow/executors/flow-workspace.js";
import { lineageOf } from "./fixtures.js";
import { startProtocolServer, TEST_USER } from "../support/protocol-server/protocol-server.js";

const SPLIT_FLOW = `
import { FlowSpec, step, current } from "wbflow";
import { wandb_log } from "wbflow/wandb";
import * as aq from "arquero";

@wandb_log({ datasets: true })
export class SplitFlow extends FlowSpec {
  @step start() {
    (this as any).base = aq.table({ x: [1, 2, 3] });
    (this as any).shards = [10, 20, 30];
    this.next(this.shard, { foreach: "shards" });
  }
  @step shard() {
    (this as any).part = (this as any).base.derive({ x: aq.escape((d: any) => d.x * (this.input as number)) });
    (this as any).pid = process.pid;
    (this as any).where = current.pathspec;
    this.next(this.merge);
  }
  @step merge(inputs: any) {
    (this as any).total = inputs.reduce((sum: number, input: any) => sum + input.part.numRows(), 0);
    this.next(this.end);
  }
  @step end() {}
}
`;

test("each task in a worker is one W&B run; consumers use their producers' exact versions", async () => {
  const workspace = flowWorkspace();
  const file = workspace.write("split.ts", SPLIT_FLOW);
  const dir = mkdtempSync(path.join(tmpdir(), "wbflow-processes-wandb-"));
  const env = { WANDB_MODE: "offline", WANDB_DIR: dir, HOME: dir, NETRC: path.join(dir, "netrc"), WANDB_DATA_DIR: path.join(dir, "data") };
  const run = await driveRun(file, "SplitFlow", { executor: "processes", maxWorkers: 2, env });
  expect(run.error).toBeUndefined();
  expect(run.successful).toBe(true);

  const api = new Api({ env, home: dir, cwd: dir, settings: { project: "SplitFlow" } });
  const runs = await api.runs("SplitFlow");
  expect(runs).toHaveLength(6);
  expect(new Set(runs.map((r) => r.group))).toEqual(new Set([`SplitFlow/${run.runId}`]));
  const shardRuns = runs.filter((r) => r.jobType === "shard");
  expect(shardRuns.map((r) => r.config["foreach_index"]).sort()).toEqual([0, 1, 2]);
  const merge = runs.find((r) => r.jobType === "merge")!;
  expect(merge.summary).toMatchObject({ total: 9 });

  const start = runs.find((r) => r.jobType === "start")!;
  expect(lineageOf(await api.artifact("base:v0"))).toEqual({ producer: start.id, consumers: shardRuns.map((r) => r.id).sort() });
  const producers = new Set<string | undefined>();
  for (const version of ["v0", "v1", "v2"]) {
    const part = lineageOf(await api.artifact(`part:${version}`));
    expect(part.consumers).toEqual([merge.id]);
    producers.add(part.producer);
  }
  expect(producers).toEqual(new Set(shardRuns.map((r) => r.id)));

  // The shards really ran in worker processes, and `current` was right there.
  const shards = run.tasks.filter((t) => t.stepName === "shard");
  const pids = await Promise.all(shards.map((t) => run.datastore.getValue("SplitFlow", t.artifacts.pid)));
  expect(pids.every((pid) => typeof pid === "number")).toBe(true);
  const wheres = await Promise.all(shards.map((t) => run.datastore.getValue("SplitFlow", t.artifacts.where)));
  expect(wheres.sort()).toEqual(shards.map((t) => `SplitFlow/${run.runId}/shard/${t.taskId}`).sort());
}, 120_000);

test("online: each consumer in a worker uses its producer's version on the server, not a copy", async () => {
  const server = await startProtocolServer();
  try {
    const workspace = flowWorkspace();
    const file = workspace.write("split.ts", SPLIT_FLOW);
    const dir = mkdtempSync(path.join(tmpdir(), "wbflow-processes-wandb-online-"));
    const env = {
      WANDB_MODE: "online",
      WANDB_API_KEY: TEST_USER.apiKey,
      WANDB_BASE_URL: server.url,
      WANDB_DIR: dir,
      HOME: dir,
      NETRC: path.join(dir, "netrc"),
      WANDB_DATA_DIR: path.join(dir, "data"),
    };
    const run = await driveRun(file, "SplitFlow", { executor: "processes", maxWorkers: 2, env });
    expect(run.error).toBeUndefined();
    const snapshot = server.state.snapshot();
    const runPath = (jobType: string) =>
      Object.entries(snapshot.runs)
        .filter(([, r]) => r.jobType === jobType)
        .map(([p]) => p)
        .sort();
    // One version per shard, each produced by its shard's run and used by the merge's run: the
    // merge's uses of older versions (not the collection's latest) made no copies.
    const parts = snapshot.artifacts[`${TEST_USER.entity}/SplitFlow/part`]!;
    expect(parts).toHaveLength(3);
    expect(parts.map((p) => p.producer).sort()).toEqual(runPath("shard"));
    for (const part of parts) expect(part.consumers).toEqual(runPath("merge"));
    const base = snapshot.artifacts[`${TEST_USER.entity}/SplitFlow/base`]!;
    expect(base).toHaveLength(1);
    expect(base[0]!.consumers).toEqual(runPath("shard"));
  } finally {
    await server.close();
  }
}, 120_000);
