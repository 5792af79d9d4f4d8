/**
 * `@wandb_log` overhead: the same flows run with and without the decorator in the same process —
 * a 20-step flow writing scalars only (each step becomes a W&B run with a summary), and a flow whose
 * start step writes a 1M-row arquero table that the next step reads (logged as a Parquet dataset
 * artifact, then marked used). Values are milliseconds per step; the overhead per step is
 * `measured - baseline`. Aim (issue 4): under 5 ms per step for the scalars flow.
 *
 * Run `npm run bench -- integration`. Offline W&B, in a temporary folder.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import * as aq from "arquero";
import { Datastore } from "../../src/flow/datastore/datastore.js";
import { FlowSpec } from "../../src/flow/define/spec.js";
import { step } from "../../src/flow/define/step.js";
import { configureWandbLog } from "../../src/integration/wandb-log/wandb-log-environment.js";
import { wandb_log } from "../../src/integration/wandb-log/wandb-log.js";
import { timeMs, type BenchCase } from "../harness.js";

const SCALAR_STEPS = 20;
const TABLE_ROWS = 1_000_000;

type AnyFlow = typeof FlowSpec & { run: typeof FlowSpec.run };
type LegacyMethodDecorator = (target: object, key: string, descriptor: PropertyDescriptor) => void;

/**
 * Marks the methods as steps (the first is the start, the last the end), and optionally the class
 * with `@wandb_log(options)`, as legacy decorators would.
 */
function decorate(flow: Function, stepNames: string[], wandbOptions: Record<string, unknown> | undefined): AnyFlow {
  const proto = flow.prototype as object;
  stepNames.forEach((name, i) => {
    const marks = i === 0 ? { start: true } : i === stepNames.length - 1 ? { end: true } : {};
    (step(marks) as unknown as LegacyMethodDecorator)(proto, name, Object.getOwnPropertyDescriptor(proto, name)!);
  });
  if (wandbOptions) (wandb_log(wandbOptions) as unknown as (ctor: Function) => void)(flow);
  return flow as AnyFlow;
}

/** s0 -> s1 -> ... -> s19; every step writes three scalars and reads the previous step's. */
function scalarFlow(logged: boolean): AnyFlow {
  const names = Array.from({ length: SCALAR_STEPS }, (_, i) => `s${i}`);
  const methods = names.map((name, i) => {
    const body = `this.epoch = ${i}; this.loss = 1 / (${i} + 1) + (this.loss ?? 0) * 0.01; this.tag = "e${i}";`;
    return i < SCALAR_STEPS - 1 ? `${name}() { ${body} this.next(this.s${i + 1}); }` : `${name}() { ${body} }`;
  });
  const flow = new Function("FlowSpec", `return class ScalarBenchFlow extends FlowSpec { ${methods.join("\n")} }`)(FlowSpec) as Function;
  return decorate(flow, names, logged ? {} : undefined);
}

/** start (writes the table) -> train (reads it) -> end. */
function tableFlow(logged: boolean, table: aq.ColumnTable): AnyFlow {
  const flow = new Function(
    "FlowSpec",
    "table",
    `return class TableBenchFlow extends FlowSpec {
      start() { this.raw_df = table; this.next(this.train); }
      train() { this.rows = this.raw_df.numRows(); this.next(this.end); }
      end() {}
    }`,
  )(FlowSpec, table) as Function;
  return decorate(flow, ["start", "train", "end"], logged ? { datasets: true } : undefined);
}

/** A temp folder holding the datastore and the offline W&B directory, with `@wandb_log` pointed at it. */
function workspaceCase(
  name: string,
  aim: string,
  steps: number,
  repeats: number,
  makeFlow: (logged: boolean) => AnyFlow,
): BenchCase {
  let dir = "";
  let restore: () => void = () => undefined;
  let datastore: Datastore;
  const side = (logged: boolean) => {
    const flow = makeFlow(logged);
    return async () => (await timeMs(() => flow.run({}, { datastore }))) / steps;
  };
  return {
    name,
    unit: "ms/step",
    aim,
    repeats,
    async setup() {
      dir = await mkdtemp(path.join(tmpdir(), "wbflow-bench-integration-"));
      datastore = new Datastore({ root: path.join(dir, ".wbflow") });
      const env = { WANDB_MODE: "offline", WANDB_DIR: dir, NETRC: path.join(dir, "netrc"), WANDB_DATA_DIR: path.join(dir, "data") };
      restore = configureWandbLog({
        print: () => undefined,
        env: () => env,
        initDependencies: () => ({ env, home: dir, cwd: dir, print: () => undefined }),
      });
    },
    async teardown() {
      restore();
      await rm(dir, { recursive: true, force: true });
    },
    baseline: { label: "flow without @wandb_log", run: side(false) },
    measured: { label: "same flow with @wandb_log", run: side(true) },
  };
}

function bigTable(): aq.ColumnTable {
  const x = new Float64Array(TABLE_ROWS);
  const y = new Int32Array(TABLE_ROWS);
  for (let i = 0; i < TABLE_ROWS; i++) {
    x[i] = Math.sin(i);
    y[i] = i % 1000;
  }
  return aq.table({ x, y });
}

let table: aq.ColumnTable | undefined;

export const cases: BenchCase[] = [
  workspaceCase("integration: 20-step scalars flow", "measured - baseline < 5 ms/step", SCALAR_STEPS, 7, scalarFlow),
  workspaceCase("integration: 1M-row arquero table (datasets: true)", "report", 3, 3, (logged) => tableFlow(logged, (table ??= bigTable()))),
];
