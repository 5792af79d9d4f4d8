/**
 * The flow picture names each step's kind from the graph's own step types (`split-foreach`,
 * `split-switch`, ...): `wbflow show --svg` and `%flow show` (commands/show.ts) and the kernel's live
 * run view (kernel/flow-view) draw the same labels from a real flow's graph.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, expectTypeOf, it, vi } from "vitest";
import { graphSvg } from "../../src/commands/show.js";
import type { DagStepType } from "../../src/display/flow-dag.js";
import { Datastore } from "../../src/flow/datastore/datastore.js";
import type { StepType } from "../../src/flow/graph/graph.js";
import { setActiveOutput, settleDeferredOutputs } from "../../src/kernel/cells/active-output.js";
import type { CellOutput } from "../../src/kernel/cells/cell-output.js";
import type { MimeBundle } from "../../src/display/mime-bundle.js";
import { watchFlowRuns } from "../../src/kernel/flow-view/flow-run-watcher.js";
import { flowFrom } from "../flow/helpers.js";
import { parseXmlRoot } from "./well-formed-xml.js";

const SOURCE = `export class F extends FlowSpec {
  @step start() { (this as any).xs = [1, 2, 3]; this.next(this.body, { foreach: "xs" }); }
  @step body() { this.next(this.joined); }
  @step joined(inputs: unknown) { this.next(this.choose); }
  @step choose() { (this as any).mode = "fast"; this.next({ fast: this.quick, slow: this.careful }, { condition: "mode" }); }
  @step quick() { this.next(this.end); }
  @step careful() { this.next(this.end); }
  @step end() {}
}`;

/** The texts Graphviz wrote into the SVG, unescaped enough for plain words. */
function svgTexts(svg: string): string[] {
  return [...svg.matchAll(/<text\b[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]!.trim());
}

function expectKindLabels(svg: string): void {
  expect(parseXmlRoot(svg)).toBe("svg");
  const texts = svgTexts(svg);
  expect(texts).toContain("foreach xs");
  expect(texts).toContain("each");
  expect(texts).toContain("join");
  expect(texts).toContain("switch on mode");
  expect(texts).toContain("fast");
  expect(texts).toContain("slow");
}

describe("the flow picture labels foreach and switch steps", () => {
  afterEach(() => {
    setActiveOutput(undefined);
    vi.unstubAllEnvs();
  });

  it("uses the graph's own step type names", () => {
    expectTypeOf<DagStepType>().toEqualTypeOf<StepType>();
  });

  it("in `wbflow show --svg` and `%flow show` (graphSvg of a real flow's check())", async () => {
    expectKindLabels(await graphSvg(flowFrom(SOURCE).check()));
  });

  it("in the kernel's live run view", async () => {
    const root = mkdtempSync(path.join(tmpdir(), "wbflow-dag-labels-"));
    vi.stubEnv("WBFLOW_DATASTORE", root);
    const shown: MimeBundle[] = [];
    const stderr: string[] = [];
    const output: CellOutput = {
      stream: (name, text) => void (name === "stderr" && stderr.push(text)),
      display: (bundle) => void shown.push(bundle),
      result: () => undefined,
      error: () => undefined,
      prompt: () => Promise.reject(new Error("no input in this test")),
    };
    setActiveOutput(output);
    const stop = watchFlowRuns();
    try {
      await flowFrom(SOURCE).run({}, { datastore: new Datastore({ root }) });
      await settleDeferredOutputs();
    } finally {
      stop();
    }
    expect(stderr.join("")).toBe("");
    const panels = shown.map((b) => String(b["text/html"] ?? "")).filter((html) => html.includes("wbflow-dag"));
    expect(panels.length).toBeGreaterThan(0);
    const svg = /<svg[\s\S]*<\/svg>/.exec(panels.at(-1)!)![0];
    expectKindLabels(svg);
  });
});
