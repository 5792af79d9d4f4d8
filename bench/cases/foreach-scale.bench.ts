/**
 * Foreach scaling (issue 13, item 9): a foreach over N elements must cost O(N) in all, i.e. the
 * same per split at 100k splits as at 10k. Before the element index every split decoded the whole
 * list to get its `this.input` (5k splits 3.1 s, 20k 26 s, 100k unfinished after 400 s).
 *
 * - per split at LARGE splits vs per split at SMALL splits (the aim is a ratio near 1: linear);
 * - per split at LARGE splits vs per task of a 100-step linear flow (what a task costs anyway).
 *
 * Measured on the shared 2-core host under load (same-run ratios): before, 5k vs 500 splits 19.2 vs
 * 1.37 ms/split (ratio 14; 20k/2k did not finish in 20 minutes); after, 100k vs 10k splits 2.70 vs
 * 2.26 ms/split (ratio 1.19; 100k splits in ~270 s) and 0.51x a linear flow's per-task cost.
 *
 * Run `npm run bench -- foreach-scale`. `WBFLOW_BENCH_FOREACH_LARGE` / `_SMALL` change the sizes
 * (default 100000 and 10000), e.g. to measure the old code at sizes it can finish.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Datastore } from "../../src/flow/datastore/datastore.js";
import { FlowSpec } from "../../src/flow/define/spec.js";
import { step } from "../../src/flow/define/step.js";
import { timeMs, type BenchCase } from "../harness.js";

const LARGE = Number(process.env.WBFLOW_BENCH_FOREACH_LARGE ?? 100_000);
const SMALL = Number(process.env.WBFLOW_BENCH_FOREACH_SMALL ?? 10_000);
const LINEAR_STEPS = 100;

type AnyFlow = typeof FlowSpec & { run: typeof FlowSpec.run };

/** Builds a flow class from source and marks its steps as the legacy decorator would. */
function flowFromSource(source: string, steps: string[]): AnyFlow {
  const flow = new Function("FlowSpec", `return ${source}`)(FlowSpec) as AnyFlow;
  const proto = flow.prototype as object;
  steps.forEach((name, i) => {
    const options = i === 0 ? { start: true } : i === steps.length - 1 ? { end: true } : {};
    (step(options) as (t: object, k: string, d: PropertyDescriptor) => void)(proto, name, Object.getOwnPropertyDescriptor(proto, name)!);
  });
  return flow;
}

/** start -> body (one task per element; reads only `this.input`) -> join -> end. */
function foreachFlow(splits: number): AnyFlow {
  return flowFromSource(
    `class ForeachScaleFlow extends FlowSpec {
      start() { this.items = Array.from({ length: ${splits} }, (_, i) => ({ id: i, label: "item-" + i })); this.next(this.body, { foreach: "items" }); }
      body() { this.score = this.input.id * 2; this.next(this.join); }
      join(inputs) { this.total = inputs.reduce((sum, input) => sum + input.score, 0); this.next(this.end); }
      end() {}
    }`,
    ["start", "body", "join", "end"],
  );
}

/** s0 -> s1 -> ... -> s99, each writing one small artifact. */
function linearFlow(): AnyFlow {
  const names = Array.from({ length: LINEAR_STEPS }, (_, i) => `s${i}`);
  const methods = names.map((name, i) =>
    i < LINEAR_STEPS - 1 ? `${name}() { this.v = ${i}; this.next(this.s${i + 1}); }` : `${name}() { this.v = ${i}; }`,
  );
  return flowFromSource(`class LinearScaleFlow extends FlowSpec { ${methods.join("\n")} }`, names);
}

let workDir = "";

async function msPerTask(flow: AnyFlow, tasks: number, maxNumSplits: number): Promise<number> {
  const datastore = new Datastore({ root: await mkdtemp(path.join(workDir, "run-")) });
  return (await timeMs(() => flow.run({}, { datastore, maxNumSplits }))) / tasks;
}

/** Each size runs once per bench process (100k splits take minutes), shared by both cases. */
const measured = new Map<string, Promise<number>>();
function once(key: string, work: () => Promise<number>): Promise<number> {
  let value = measured.get(key);
  if (!value) measured.set(key, (value = work()));
  return value;
}
const perSplit = (splits: number) => once(`foreach-${splits}`, () => msPerTask(foreachFlow(splits), splits + 3, splits));
const perLinearTask = () => once("linear", () => msPerTask(linearFlow(), LINEAR_STEPS, 1));

const setup = async () => {
  workDir ||= await mkdtemp(path.join(tmpdir(), "wbflow-foreach-scale-"));
};
const teardown = async () => undefined;
process.once("exit", () => {
  if (workDir) void rm(workDir, { recursive: true, force: true });
});

export const cases: BenchCase[] = [
  {
    name: `foreach-scale: per split at ${LARGE} splits vs at ${SMALL}`,
    unit: "ms/split",
    aim: "ratio ≈ 1 (linear; it was ~ LARGE/SMALL)",
    repeats: 1,
    setup,
    teardown,
    baseline: { label: `${SMALL}-way foreach`, run: () => perSplit(SMALL) },
    measured: { label: `${LARGE}-way foreach`, run: () => perSplit(LARGE) },
  },
  {
    name: `foreach-scale: per split at ${LARGE} splits vs per task of a linear flow`,
    unit: "ms/task",
    aim: "ratio ≈ 1 (a split costs what a task costs)",
    repeats: 1,
    setup,
    teardown,
    baseline: { label: `${LINEAR_STEPS}-step linear flow`, run: perLinearTask },
    measured: { label: `${LARGE}-way foreach`, run: () => perSplit(LARGE) },
  },
];
