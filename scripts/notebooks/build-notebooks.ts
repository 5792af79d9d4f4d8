/**
 * Writes notebooks/quickstart.ipynb and notebooks/branches.ipynb from the cell sources below, with
 * outputs cleared. Edit here and run `npx tsx scripts/notebooks/build-notebooks.ts`; the notebook
 * tests check the committed files are up to date with this script.
 */
import { fileURLToPath } from "node:url";
import path from "node:path";
import { writeNotebook, type Notebook, type NotebookCell } from "../jupyter-client/notebook-file.js";

const md = (source: string): NotebookCell => ({ cell_type: "markdown", metadata: {}, source: source.trim() });
const code = (source: string): NotebookCell => ({ cell_type: "code", metadata: {}, source: source.trim(), outputs: [], execution_count: null });

function notebook(cells: NotebookCell[]): Notebook {
  return {
    cells: cells.map((cell, i) => ({ id: `cell-${i}`, ...cell })),
    metadata: {
      kernelspec: { name: "wbflow", display_name: "TypeScript (wbflow)", language: "typescript" },
      language_info: { name: "typescript", file_extension: ".ts", mimetype: "text/typescript" },
    },
    nbformat: 4,
    nbformat_minor: 5,
  };
}

const LINEAR_MODEL = `
// A tiny model class. registerModelType tells wbflow how to save and load it, so @wandb_log
// can log it as a "model" artifact (the way W&B's integration logs scikit-learn or PyTorch models).
import { registerModelType } from "wbflow";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

class LinearModel {
  constructor(public weights: number[]) {}
  predict(x: number): number { return this.weights[0]! * x + (this.weights[1] ?? 0); }
  saveModel(dir: string) { writeFileSync(join(dir, "weights.json"), JSON.stringify(this.weights)); }
  static loadModel(dir: string) { return new LinearModel(JSON.parse(readFileSync(join(dir, "weights.json"), "utf8"))); }
}
registerModelType(LinearModel);

/** Least squares for y = a·x + b, with a learning-rate-like shrink so parameters matter. */
function fitLinear(table: aq.ColumnTable, alpha: number): LinearModel {
  const xs = table.array("x") as number[];
  const ys = table.array("y") as number[];
  const n = xs.length;
  const mx = xs.reduce((s, v) => s + v, 0) / n;
  const my = ys.reduce((s, v) => s + v, 0) / n;
  const sxy = xs.reduce((s, v, i) => s + (v - mx) * (ys[i]! - my), 0);
  const sxx = xs.reduce((s, v) => s + (v - mx) ** 2, 0);
  const a = (sxy / sxx) * (1 - alpha / 10);
  return new LinearModel([a, my - a * mx]);
}`;

export const quickstart = notebook([
  md(`
# wbflow quickstart: Metaflow-style flows with W&B logging, in TypeScript

This follows W&B's Metaflow integration quickstart, in a TypeScript notebook. Put \`@wandb_log\` on a
step or a whole flow and every step run becomes a W&B run: parameters go to **config**, plain values to
the **summary**, and datasets and models become **artifacts** with lineage between steps.

Everything here runs **offline** — no account, no network: runs are kept in \`./wandb\` and can be
uploaded later with \`%wandb sync --all\`.`),
  md(`
## 1. Install and log in

In a terminal, in your project:

\`\`\`sh
npm install wbflow arquero
npx wbflow install --user     # registers the "TypeScript (wbflow)" kernel with Jupyter
\`\`\`

Logging in is optional. \`%wandb login\` asks for your API key in a hidden prompt (or reads
\`WANDB_API_KEY\` / \`~/.netrc\`), checks it with the server and stores it in \`~/.netrc\`. Without a key,
everything stays offline. \`%wandb status\` shows where runs go.`),
  code(`
// %wandb login            <- uncomment to log in (hidden prompt); offline without it
%wandb project wbflow-quickstart
%wandb status`),
  code(`
import { FlowSpec, step, Parameter } from "wbflow";
import { wandb_log, wandbRunsOf, Api } from "wbflow/wandb";
import * as aq from "arquero";
${LINEAR_MODEL}`),
  md(`
## 2. Decorate a step

Only \`start\` is logged: its dataset \`raw_df\` and its model become artifacts. \`transform\` is not
logged, and \`%flow show\` draws the graph.`),
  code(`
class StepDecoratedFlow extends FlowSpec {
  alpha = Parameter("alpha", { default: 0.5, help: "learning rate" });
  raw_df!: aq.ColumnTable;
  model!: LinearModel;
  rows!: number;

  @wandb_log({ datasets: true, models: true })
  @step start() {
    this.raw_df = aq.table({ x: [1, 2, 3, 4], y: [2.1, 3.9, 6.2, 7.8] });
    this.model = fitLinear(this.raw_df, this.alpha);
    this.next(this.transform);
  }

  @step transform() {
    this.rows = this.raw_df.numRows();
    this.next(this.end);
  }

  @step end() {}
}`),
  code(`%flow show StepDecoratedFlow`),
  code(`%flow run StepDecoratedFlow --alpha 0.1`),
  md(`
## 3. Decorate a flow

\`@wandb_log\` on the class logs every step. Reading \`raw_df\` in \`train\` is recorded as an input, so
lineage links \`start\` → \`raw_df:v…\` → \`train\`. Runs show one live display, then the report.`),
  code(`
@wandb_log({ datasets: true, models: true })
class WandbExampleFlow extends FlowSpec {
  alpha = Parameter("alpha", { default: 0.5, help: "learning rate" });
  raw_df!: aq.ColumnTable;
  model!: LinearModel;
  accuracy!: number;
  loss_curve!: number[];

  @step start() {
    this.raw_df = aq.table({ x: [1, 2, 3, 4, 5], y: [2, 4.1, 5.9, 8.2, 9.9] });
    this.next(this.train);
  }

  @step train() {
    this.model = fitLinear(this.raw_df, this.alpha);
    const xs = this.raw_df.array("x") as number[];
    const ys = this.raw_df.array("y") as number[];
    const error = xs.reduce((s, x, i) => s + Math.abs(this.model.predict(x) - ys[i]!), 0) / xs.length;
    this.accuracy = Number((1 / (1 + error)).toFixed(4));
    this.loss_curve = [1.2, 0.8, 0.5, 0.35, error];
    this.next(this.end);
  }

  @step end() {}
}`),
  code(`const run = await WandbExampleFlow.run({ alpha: 0.1 });`),
  md(`
## 4. Decorate a flow and override a step

A step-level \`@wandb_log\` wins over the flow-level one: here \`end\` logs no datasets or models.`),
  code(`
@wandb_log({ datasets: true, models: true })
class OverrideFlow extends FlowSpec {
  raw_df!: aq.ColumnTable;
  model!: LinearModel;

  @step start() {
    this.raw_df = aq.table({ x: [1, 2, 3], y: [3, 5, 7] });
    this.model = fitLinear(this.raw_df, 0);
    this.next(this.end);
  }

  @wandb_log({ datasets: false, models: false })
  @step end() {
    this.raw_df = this.raw_df.derive({ y2: (d: { y: number }) => d.y * 2 });
  }
}`),
  code(`%flow run OverrideFlow`),
  md(`
## 5. Where is my data?

The W&B runs of a flow run are grouped as \`{flowName}/{runId}\`, one per step. Their **config** holds
the parameters and their **summary** the plain values; artifacts are read back by name, and a run or
artifact as the last expression of a cell shows its tables and lineage graph.`),
  code(`
const wandbRuns = await wandbRunsOf(run);
wandbRuns.map((r) => ({ step: r.jobType, run: r.id, config: r.config, accuracy: r.summary.accuracy }))`),
  code(`
const api = new Api();
const rawDf = await api.artifact("wbflow-quickstart/raw_df:latest");
rawDf`),
  code(`
// The run handle renders the links, summaries, artifacts and lineage of the whole run again.
run`),
  code(`%flow runs WandbExampleFlow`),
]);

export const branches = notebook([
  md(`
# Branches, foreach and joins

A flow can split into parallel branches and join them again, or fan out over a list with
\`foreach\` — each item runs as its own task (and, with \`@wandb_log\`, its own W&B run). The live
display counts foreach tasks as they finish.`),
  code(`
import { FlowSpec, step, Parameter, type JoinInputs } from "wbflow";
import { wandb_log } from "wbflow/wandb";`),
  code(`
@wandb_log()
class BranchFlow extends FlowSpec {
  scale = Parameter("scale", { default: 2 });
  base!: number;
  doubled!: number;
  squared!: number;
  total!: number;

  @step start() {
    this.base = 3;
    this.next(this.double, this.square);
  }

  @step double() {
    this.doubled = this.base * this.scale;
    this.next(this.join);
  }

  @step square() {
    this.squared = this.base ** 2;
    this.next(this.join);
  }

  @step join(inputs: JoinInputs) {
    this.total = (inputs.double as unknown as BranchFlow).doubled + (inputs.square as unknown as BranchFlow).squared;
    this.next(this.end);
  }

  @step end() {}
}`),
  code(`%flow show BranchFlow`),
  code(`%flow run BranchFlow --scale 5`),
  code(`
@wandb_log()
class SweepFlow extends FlowSpec {
  alphas!: number[];
  alpha!: number;
  score!: number;
  best!: number;

  @step start() {
    this.alphas = [0.01, 0.03, 0.1, 0.3, 1];
    this.next(this.train, { foreach: "alphas" });
  }

  @step train() {
    this.alpha = this.input as number;
    this.score = Number((1 - Math.abs(Math.log10(this.alpha) + 1) / 3).toFixed(4));
    this.next(this.pick);
  }

  @step pick(inputs: JoinInputs) {
    const scores = inputs.map((i) => (i as unknown as SweepFlow).score);
    this.best = Math.max(...scores);
    this.next(this.end);
  }

  @step end() {}
}`),
  code(`%flow check SweepFlow`),
  code(`
const sweep = await SweepFlow.run();
(await sweep.data()).best`),
  code(`%flow runs SweepFlow`),
]);

const here = path.dirname(fileURLToPath(import.meta.url));
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  writeNotebook(path.join(here, "..", "..", "notebooks", "quickstart.ipynb"), quickstart);
  writeNotebook(path.join(here, "..", "..", "notebooks", "branches.ipynb"), branches);
}
