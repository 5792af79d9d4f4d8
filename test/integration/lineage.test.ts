/**
 * Lineage at exact versions: foreach splits and their join, two overlapping runs of one flow,
 * digest dedup, and resume (cloned tasks make no W&B runs, their versions stay resolvable).
 */
import { afterEach, expect, test } from "vitest";
import { lineageOf, runNamed, runsByName, LEGACY } from "./fixtures.js";
import { loadFlows } from "./load-flows.js";
import { workspace, type Workspace } from "./workspace.js";

let ws: Workspace;
afterEach(() => ws.restore());
const HEADER = `
import { FlowSpec, step, Parameter } from "wbflow";
import { wandb_log } from "wbflow/wandb";
import * as aq from "arquero";
`;

test("foreach splits are one run each (index in name and config); the join uses every split's version", async () => {
  ws = workspace("SplitFlow");
  const { SplitFlow } = loadFlows(
    `${HEADER}
@wandb_log({ datasets: true })
export class SplitFlow extends FlowSpec {
  @step start() {
    this.base = aq.table({ x: [1, 2, 3] });
    this.shards = [10, 20, 30];
    this.next(this.shard, { foreach: "shards" });
  }
  @step shard() {
    this.part = this.base.derive({ x: aq.escape((d: any) => d.x * this.input) });
    this.next(this.merge);
  }
  @step merge(inputs: any) {
    this.total = inputs.reduce((sum: number, input: any) => sum + input.part.numRows(), 0);
    this.next(this.end);
  }
  @step end() {}
}`,
    LEGACY,
  );
  const flowRun = await SplitFlow.run({}, { datastore: ws.datastore });
  const runs = await runsByName(ws, "SplitFlow");
  const shardRuns = [...runs.values()].filter((run) => run.jobType === "shard");
  expect(shardRuns.map((run) => [run.name?.replace(/\/\d+$/, ""), run.config["foreach_index"]]).sort()).toEqual([
    ["shard[0]", 0],
    ["shard[1]", 1],
    ["shard[2]", 2],
  ]);
  const merge = [...runs.values()].find((run) => run.jobType === "merge")!;
  expect(merge.summary).toMatchObject({ total: 9 });
  expect(merge.group).toBe(`SplitFlow/${flowRun.runId}`);

  const start = runNamed(runs, "start/1");
  const base = await ws.api.artifact("base:v0");
  expect(lineageOf(base)).toEqual({ producer: start.id, consumers: shardRuns.map((r) => r.id).sort() });
  // Each split's part is its own version, produced by that split's run and used by the join.
  const producers = new Set<string>();
  for (const version of ["v0", "v1", "v2"]) {
    const part = lineageOf(await ws.api.artifact(`part:${version}`));
    expect(part.consumers).toEqual([merge.id]);
    producers.add(part.producer!);
  }
  expect([...producers].sort()).toEqual(shardRuns.map((r) => r.id).sort());
});

test("a branch join reading inputs.<step>.x uses each branch's version", async () => {
  ws = workspace("BranchFlow");
  const { BranchFlow } = loadFlows(
    `${HEADER}
@wandb_log({ datasets: true })
export class BranchFlow extends FlowSpec {
  @step start() { this.next(this.left, this.right); }
  @step left() { this.features = aq.table({ side: ["left"] }); this.next(this.join); }
  @step right() { this.features = aq.table({ side: ["right", "right"] }); this.next(this.join); }
  @step join(inputs: any) {
    this.rows = inputs.left.features.numRows() + inputs.right.features.numRows();
    this.next(this.end);
  }
  @step end() {}
}`,
    LEGACY,
  );
  await BranchFlow.run({}, { datastore: ws.datastore });
  const runs = await ws.api.runs("BranchFlow");
  const byJob = (jobType: string) => runs.find((run) => run.jobType === jobType)!;
  expect(byJob("join").summary).toMatchObject({ rows: 3 });
  const versions = await Promise.all(["v0", "v1"].map((v) => ws.api.artifact(`features:${v}`)));
  expect(versions.map((v) => lineageOf(v)).sort((a, b) => a.producer!.localeCompare(b.producer!))).toEqual(
    [byJob("left").id, byJob("right").id].sort().map((producer) => ({ producer, consumers: [byJob("join").id] })),
  );
});

test("16 splits logging the same artifact name at once get 16 distinct versions, all used by the join", async () => {
  ws = workspace("WideFlow");
  const { WideFlow } = loadFlows(
    `${HEADER}
@wandb_log({ datasets: true })
export class WideFlow extends FlowSpec {
  @step start() { this.shards = Array.from({ length: 16 }, (_, i) => i); this.next(this.shard, { foreach: "shards" }); }
  @step async shard() {
    await new Promise((resolve) => setTimeout(resolve, 1));
    this.part = aq.table({ shard: [this.input] });
    this.next(this.merge);
  }
  @step merge(inputs: any) { this.count = inputs.reduce((n: number, input: any) => n + input.part.numRows(), 0); this.next(this.end); }
  @step end() {}
}`,
    LEGACY,
  );
  await WideFlow.run({}, { datastore: ws.datastore, maxWorkers: 16 });
  const runs = await ws.api.runs("WideFlow");
  const merge = runs.find((run) => run.jobType === "merge")!;
  const shardIds = runs.filter((run) => run.jobType === "shard").map((run) => run.id).sort();
  expect(shardIds).toHaveLength(16);
  const versions = await Promise.all(Array.from({ length: 16 }, (_, i) => ws.api.artifact(`part:v${i}`)));
  expect(versions.map((v) => v.producer?.runId).sort()).toEqual(shardIds);
  for (const version of versions) expect(lineageOf(version).consumers).toEqual([merge.id]);
  await expect(ws.api.artifact("part:v16")).rejects.toThrow(/not found/);
});

test("two overlapping runs of one flow: each consumer uses its own producer's version, never the other's latest", async () => {
  ws = workspace("RaceFlow");
  // Both start steps finish before either train step reads raw_df, so ':latest' would be wrong for one of them.
  let release!: () => void;
  const bothStarted = new Promise<void>((resolve) => (release = resolve));
  let started = 0;
  (globalThis as Record<string, unknown>).__race = {
    started: () => {
      if (++started === 2) release();
    },
    bothStarted,
  };
  const { RaceFlow } = loadFlows(
    `${HEADER}
@wandb_log({ datasets: true })
export class RaceFlow extends FlowSpec {
  seed = Parameter("seed", { default: 0 });
  @step start() {
    this.raw_df = aq.table({ seed: [this.seed] });
    (globalThis as any).__race.started();
    this.next(this.train);
  }
  @step async train() {
    await (globalThis as any).__race.bothStarted;
    this.seen = this.raw_df.get("seed", 0);
    this.next(this.end);
  }
  @step end() {}
}`,
    LEGACY,
  );
  const [first, second] = await Promise.all([
    RaceFlow.run({ seed: 1 }, { datastore: ws.datastore }),
    RaceFlow.run({ seed: 2 }, { datastore: ws.datastore }),
  ]);
  const all = await ws.api.runs("RaceFlow");
  for (const [flowRun, seed] of [[first, 1], [second, 2]] as const) {
    const group = all.filter((run) => run.group === `RaceFlow/${flowRun.runId}`);
    const start = group.find((run) => run.jobType === "start")!;
    const train = group.find((run) => run.jobType === "train")!;
    expect(train.summary).toMatchObject({ seen: seed });
    const versions = await Promise.all(["v0", "v1"].map((v) => ws.api.artifact(`raw_df:${v}`)));
    const produced = versions.find((version) => version.producer?.runId === start.id)!;
    expect(lineageOf(produced)).toEqual({ producer: start.id, consumers: [train.id] });
  }
});

test("re-assigning an identical value makes no new version, and both producers' consumers use that version", async () => {
  ws = workspace("DedupFlow");
  const { DedupFlow } = loadFlows(
    `${HEADER}
@wandb_log({ datasets: true })
export class DedupFlow extends FlowSpec {
  @step start() { this.raw_df = aq.table({ x: [1, 2] }); this.next(this.again); }
  @step again() { this.raw_df = aq.table({ x: [1, 2] }); this.next(this.end); }
  @step end() { this.rows = this.raw_df.numRows(); }
}`,
    LEGACY,
  );
  await DedupFlow.run({}, { datastore: ws.datastore });
  await DedupFlow.run({}, { datastore: ws.datastore });
  const v0 = await ws.api.artifact("raw_df:v0");
  expect(v0.aliases).toContain("latest");
  await expect(ws.api.artifact("raw_df:v1")).rejects.toThrow(/not found/);
  const ends = (await ws.api.runs("DedupFlow")).filter((run) => run.jobType === "end").map((run) => run.id).sort();
  expect(lineageOf(v0).consumers).toEqual(ends);
  expect(ws.lines.filter((line) => line.includes("logged raw_df:v0") && line.includes("unchanged"))).toHaveLength(3);
});

test("resume: cloned tasks make no W&B run, and re-run steps use the versions the origin run logged", async () => {
  ws = workspace("ResumeFlow");
  (globalThis as Record<string, unknown>).__failTrain = true;
  const { ResumeFlow } = loadFlows(
    `${HEADER}
@wandb_log({ datasets: true })
export class ResumeFlow extends FlowSpec {
  @step start() { this.raw_df = aq.table({ x: [5] }); this.next(this.train); }
  @step train() {
    this.seen = this.raw_df.get("x", 0);
    if ((globalThis as any).__failTrain) throw new Error("flaky");
    this.next(this.end);
  }
  @step end() {}
}`,
    LEGACY,
  );
  const origin = await ResumeFlow.run({}, { datastore: ws.datastore, throwOnFailure: false });
  expect(origin.successful).toBe(false);
  (globalThis as Record<string, unknown>).__failTrain = false;
  const resumed = await ResumeFlow.resume({ datastore: ws.datastore, originRunId: origin.runId });
  expect(resumed.successful).toBe(true);

  const all = await ws.api.runs("ResumeFlow");
  const inGroup = (flowRun: { runId: string }) => all.filter((run) => run.group === `ResumeFlow/${flowRun.runId}`);
  expect(inGroup(origin).map((run) => [run.jobType, run.state]).sort()).toEqual([["start", "finished"], ["train", "failed"]]);
  expect(inGroup(resumed).map((run) => run.jobType).sort()).toEqual(["end", "train"]);
  const originStart = inGroup(origin).find((run) => run.jobType === "start")!;
  const originTrain = inGroup(origin).find((run) => run.jobType === "train")!;
  const resumedTrain = inGroup(resumed).find((run) => run.jobType === "train")!;
  expect(lineageOf(await ws.api.artifact("raw_df:v0"))).toEqual({
    producer: originStart.id,
    consumers: [originTrain.id, resumedTrain.id].sort(),
  });
});
