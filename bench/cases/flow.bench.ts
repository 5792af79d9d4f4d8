/**
 * Flow engine overhead: time per task of a 100-step linear flow and of a 1000-split foreach, and the
 * peak memory of the foreach run (in a child process). The baseline runs the same step bodies as
 * plain async functions in sequence, writing the same artifacts `v8.serialize`d to files, i.e. the
 * cheapest way to get persisted, isolated step outputs without an engine.
 *
 * Run `npm run bench -- flow`. This file is also the child process of the memory cases:
 * `tsx bench/cases/flow.bench.ts --flow-bench-child <engine|baseline>` prints `{ "maxRssMiB": n }`.
 */
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { serialize } from "node:v8";
import { Datastore } from "../../src/flow/datastore/datastore.js";
import { FlowSpec } from "../../src/flow/define/spec.js";
import { step } from "../../src/flow/define/step.js";
import { peakRssMiB, timeMs, type BenchCase } from "../harness.js";

const LINEAR_STEPS = 100;
const FOREACH_SPLITS = 1000;

/** The small artifact every step writes. */
function payload(i: number): { i: number; values: number[]; label: string } {
  return { i, values: Array.from({ length: 10 }, (_, k) => i * k), label: `step-${i}` };
}

type AnyFlow = typeof FlowSpec & { run: typeof FlowSpec.run };

/** Marks methods as steps the way a compiled decorator would (legacy convention). */
function markSteps(flow: Function, steps: Array<[string, { start?: boolean; end?: boolean }]>): void {
  const proto = flow.prototype as object;
  for (const [name, options] of steps) {
    const descriptor = Object.getOwnPropertyDescriptor(proto, name)!;
    (step(options) as (target: object, key: string, d: PropertyDescriptor) => void)(proto, name, descriptor);
  }
}

/** A flow of LINEAR_STEPS steps s0 -> s1 -> ... ; each reads the previous artifact and writes one. */
function linearFlow(): AnyFlow {
  const methods = Array.from({ length: LINEAR_STEPS }, (_, i) => {
    const body = `this.v${i} = payload(${i}); this.sum = (this.sum ?? 0) + this.v${i}.i;`;
    return i < LINEAR_STEPS - 1 ? `s${i}() { ${body} this.next(this.s${i + 1}); }` : `s${i}() { ${body} }`;
  });
  const flow = new Function("FlowSpec", "payload", `return class LinearBenchFlow extends FlowSpec { ${methods.join("\n")} }`)(
    FlowSpec,
    payload,
  ) as AnyFlow;
  markSteps(
    flow,
    Array.from({ length: LINEAR_STEPS }, (_, i) => [`s${i}`, i === 0 ? { start: true } : i === LINEAR_STEPS - 1 ? { end: true } : {}]),
  );
  return flow;
}

/** start -> body (FOREACH_SPLITS splits) -> join -> end. */
function foreachFlow(): AnyFlow {
  const flow = new Function(
    "FlowSpec",
    "payload",
    `return class ForeachBenchFlow extends FlowSpec {
      start() { this.items = Array.from({ length: ${FOREACH_SPLITS} }, (_, i) => i); this.next(this.body, { foreach: "items" }); }
      body() { this.result = payload(this.input); this.next(this.join); }
      join(inputs) { this.total = inputs.reduce((sum, input) => sum + input.result.i, 0); this.next(this.end); }
      end() {}
    }`,
  )(FlowSpec, payload) as AnyFlow;
  markSteps(flow, [["start", {}], ["body", {}], ["join", {}], ["end", {}]]);
  return flow;
}

/**
 * The baseline: call each body in sequence on a plain object and write the artifacts it assigned
 * with v8.serialize (one file per artifact); later steps see earlier values in memory.
 */
async function baselineSteps(dir: string, bodies: Array<(state: Record<string, unknown>) => Promise<void> | void>): Promise<void> {
  await mkdir(dir, { recursive: true });
  let state: Record<string, unknown> = {};
  for (const [index, body] of bodies.entries()) {
    const own = { ...state };
    await body(own);
    const assigned = Object.entries(own).filter(([name, value]) => state[name] !== value);
    await Promise.all(assigned.map(([name, value]) => writeFile(path.join(dir, `${index}-${name}`), serialize(value))));
    state = own;
  }
}

function linearBodies(): Array<(s: Record<string, unknown>) => void> {
  return Array.from({ length: LINEAR_STEPS }, (_, i) => (s) => {
    s[`v${i}`] = payload(i);
    s.sum = ((s.sum as number | undefined) ?? 0) + i;
  });
}

function foreachBodies(): Array<(s: Record<string, unknown>) => void> {
  const splits = Array.from({ length: FOREACH_SPLITS }, (_, i) => (s: Record<string, unknown>) => {
    s.result = payload(i);
  });
  return [
    (s) => {
      s.items = Array.from({ length: FOREACH_SPLITS }, (_, i) => i);
    },
    ...splits,
    (s) => {
      s.total = FOREACH_SPLITS;
    },
    () => undefined,
  ];
}

// Each flow class is built once, as a notebook defines a class once and runs it many times; the
// first run of a class also parses its steps' sources (a per-run cost, cached per function).
let linear: AnyFlow | undefined;
let foreach: AnyFlow | undefined;
const linearOnce = () => (linear ??= linearFlow());
const foreachOnce = () => (foreach ??= foreachFlow());

let workDir = "";
const fresh = async (name: string) => mkdtemp(path.join(workDir, `${name}-`));

async function engineMsPerTask(flow: AnyFlow, tasks: number, options: { maxNumSplits?: number } = {}): Promise<number> {
  const datastore = new Datastore({ root: await fresh("engine") });
  const ms = await timeMs(() => flow.run({}, { datastore, ...options }));
  return ms / tasks;
}

async function baselineMsPerTask(bodies: Array<(s: Record<string, unknown>) => void>): Promise<number> {
  const dir = await fresh("baseline");
  return (await timeMs(() => baselineSteps(dir, bodies))) / bodies.length;
}

async function childPeakMiB(mode: "engine" | "baseline"): Promise<number> {
  const self = fileURLToPath(import.meta.url);
  const tsx = path.resolve(path.dirname(self), "../../node_modules/.bin/tsx");
  const { stdout } = await promisify(execFile)(tsx, [self, "--flow-bench-child", mode], { maxBuffer: 1 << 20 });
  return (JSON.parse(stdout.trim().split("\n").at(-1)!) as { maxRssMiB: number }).maxRssMiB;
}

const setup = async () => {
  workDir = await mkdtemp(path.join(tmpdir(), "wbflow-flow-bench-"));
};
const teardown = async () => {
  await rm(workDir, { recursive: true, force: true });
};

export const cases: BenchCase[] = [
  {
    name: "flow: 100-step linear flow, time per task",
    unit: "ms/task",
    aim: "< 2 ms median per task",
    setup,
    teardown,
    baseline: { label: "plain async calls + v8.serialize files", run: () => baselineMsPerTask(linearBodies()) },
    measured: { label: "wbflow run (store + inherit)", run: () => engineMsPerTask(linearOnce(), LINEAR_STEPS) },
  },
  {
    name: "flow: 1000-split foreach, time per task",
    unit: "ms/task",
    aim: "< 2 ms median per task",
    repeats: 3,
    setup,
    teardown,
    baseline: { label: "plain async calls + v8.serialize files", run: () => baselineMsPerTask(foreachBodies()) },
    measured: {
      label: "wbflow run (maxWorkers 16)",
      run: () => engineMsPerTask(foreachOnce(), FOREACH_SPLITS + 3, { maxNumSplits: FOREACH_SPLITS }),
    },
  },
  {
    name: "flow: 1000-split foreach, peak memory (child process)",
    unit: "MiB peak RSS",
    repeats: 1,
    baseline: { label: "plain async calls + v8.serialize files", run: () => childPeakMiB("baseline") },
    measured: { label: "wbflow run", run: () => childPeakMiB("engine") },
  },
];

const childMode = process.argv.includes("--flow-bench-child") ? process.argv[process.argv.indexOf("--flow-bench-child") + 1] : undefined;
if (childMode) {
  await setup();
  if (childMode === "engine") await engineMsPerTask(foreachOnce(), FOREACH_SPLITS + 3, { maxNumSplits: FOREACH_SPLITS });
  else await baselineMsPerTask(foreachBodies());
  await teardown();
  console.log(JSON.stringify({ maxRssMiB: peakRssMiB() }));
}
