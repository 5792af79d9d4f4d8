/**
 * Branching: a static split (two models trained in parallel), a foreach (one task per fold), joins
 * that pick and merge results, and a switch that chooses a path from an artifact's value.
 *
 *   node bin/wbflow.js run examples/branches.ts --folds 4 --max-workers 4
 */
import { FlowSpec, Parameter, step, type JoinInputs } from "wbflow";

export class BranchesFlow extends FlowSpec {
  folds = Parameter("folds", { default: 3, help: "number of cross-validation folds" });

  data!: number[];
  foldIds!: number[];
  foldScore!: number;
  meanScore!: number;
  model!: string;
  score!: number;
  best!: { model: string; score: number };
  verdict!: "good" | "poor";

  @step start() {
    this.data = Array.from({ length: 20 }, (_, i) => i % 7);
    this.foldIds = Array.from({ length: this.folds }, (_, i) => i);
    this.next(this.linear, this.constant);
  }

  @step linear() {
    this.model = "linear";
    this.next(this.crossValidate, { foreach: "foldIds" });
  }

  @step async crossValidate() {
    const fold = this.input as number;
    const held = this.data.filter((_, i) => i % this.folds === fold);
    await new Promise((resolve) => setImmediate(resolve)); // stands in for real async work
    this.foldScore = 1 - held.reduce((sum, v) => sum + v, 0) / (held.length * 10);
    this.next(this.collectFolds);
  }

  @step collectFolds(inputs: JoinInputs) {
    this.meanScore = inputs.reduce((sum, fold) => sum + (fold.foldScore as number), 0) / inputs.length;
    this.mergeArtifacts(inputs, { include: ["model"] });
    this.next(this.scoreLinear);
  }

  @step scoreLinear() {
    this.score = this.meanScore;
    this.next(this.pick);
  }

  @step constant() {
    this.model = "constant";
    this.score = 0.5;
    this.next(this.pick);
  }

  @step pick(inputs: JoinInputs) {
    const ranked = [...inputs].sort((a, b) => (b.score as number) - (a.score as number));
    this.best = { model: ranked[0]!.model as string, score: ranked[0]!.score as number };
    this.next(this.decide);
  }

  @step decide() {
    this.verdict = this.best.score > 0.6 ? "good" : "poor";
    this.next({ good: this.ship, poor: this.report }, { condition: "verdict" });
  }

  @step ship() {
    console.log(`shipping the ${this.best.model} model (score ${this.best.score.toFixed(3)})`);
    this.next(this.end);
  }

  @step report() {
    console.log(`no model is good enough; best was ${this.best.model} (${this.best.score.toFixed(3)})`);
    this.next(this.end);
  }

  @step end() {}
}
