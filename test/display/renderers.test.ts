import { describe, expect, it } from "vitest";
import { artifactsTableHtml, artifactsTableText } from "../../src/display/artifacts-table.js";
import { flowDagDot, type DagData } from "../../src/display/flow-dag.js";
import { renderDotToSvg } from "../../src/display/graphviz.js";
import { escapeHtml, safeUrl } from "../../src/display/html-escape.js";
import { lineageDot } from "../../src/display/lineage-graph.js";
import { liveRunHtml, liveRunText } from "../../src/display/live-run-panel.js";
import { progressHtml, progressText } from "../../src/display/progress-bar.js";
import { runReportHtml, runReportText } from "../../src/display/run-report.js";
import { historyRows, runSummaryHtml, summaryRows } from "../../src/display/run-summary-panel.js";
import { formatBytes, shortValue } from "../../src/display/short-value.js";
import { downsample, sparkline } from "../../src/display/sparkline.js";
import { parseXmlRoot } from "./well-formed-xml.js";

const evil = `<script>alert("x")</script><img src=x onerror=alert(1)>`;

/** No user string may reach HTML unescaped: no live tags or handlers from the evil payload. */
function expectNoInjectedMarkup(html: string): void {
  expect(html).not.toContain("<script");
  expect(html).not.toContain("<img");
  expect(html).toContain("&lt;script&gt;");
}

describe("values and sparklines", () => {
  it("shortens strings and rounds floats like W&B's run panel", () => {
    expect(shortValue("a".repeat(25))).toBe(`${"a".repeat(20)}...`);
    expect(shortValue(0.123456789)).toBe("0.12346");
    expect(shortValue(3)).toBe("3");
    expect(shortValue({ nested: 1 })).toBeUndefined();
    expect(formatBytes(1536)).toBe("1.5 KiB");
  });

  it("draws sparklines from min to max and downsamples to 40 points", () => {
    expect(sparkline([0, 1, 2, 3, 4, 5, 6, 7])).toBe("▁▂▃▄▅▆▇█");
    expect(sparkline([5, 5, 5])).toBe("▁▁▁");
    expect(sparkline([])).toBe("");
    const many = Array.from({ length: 1000 }, (_, i) => i);
    expect(downsample(many, 40)).toHaveLength(40);
    expect(downsample(many, 40).at(-1)).toBe(999);
  });

  it("sorts keys, hides _keys and cuts after ten rows with +N ...", () => {
    const summary = Object.fromEntries(Array.from({ length: 13 }, (_, i) => [`k${String(i).padStart(2, "0")}`, i]));
    const rows = summaryRows({ history: {}, summary: { ...summary, _runtime: 3 } });
    expect(rows).toHaveLength(11);
    expect(rows[0]).toEqual(["k00", "0"]);
    expect(rows.at(-1)).toEqual(["+3 ...", ""]);
    expect(historyRows({ history: { loss: [3, 2, 1], _step: [0, 1, 2], single: [1] }, summary: {} })).toEqual([["loss", "█▅▁"]]);
  });
});

describe("HTML renderers escape every user-provided string", () => {
  it("summary panel", () => {
    const html = runSummaryHtml({ title: evil, history: { [evil]: [1, 2] }, summary: { [evil]: evil.slice(0, 10), note: "<b>bold</b>" } });
    expectNoInjectedMarkup(html);
    expect(html).not.toContain("<b>bold");
  });

  it("artifacts table", () => {
    const row = { name: evil, type: "dataset", version: "v0", size: 2048, producer: evil, consumers: [evil] };
    const html = artifactsTableHtml([row]);
    expectNoInjectedMarkup(html);
    expect(html).toContain('class="wbflow-artifacts-table"');
    expect(artifactsTableText([row])).toContain("2.0 KiB");
  });

  it("links refuse javascript: URLs", () => {
    expect(safeUrl("javascript:alert(1)")).toBe("#");
    // Browsers drop tabs, newlines and leading control characters before reading the scheme (issue 13).
    for (const sneaky of ["java\tscript:alert(1)", "java\nscript:alert(1)", "\x01javascript:alert(1)", " JaVaScRiPt:alert(1)", "data:text/html,<b>", "vbscript:x"]) {
      expect(safeUrl(sneaky), JSON.stringify(sneaky)).toBe("#");
    }
    expect(safeUrl("/relative/path?x=1")).toBe("/relative/path?x=1");
    expect(safeUrl("runs/abc")).toBe("runs/abc");
    expect(safeUrl("https://wandb.ai/a/b?x=1&y=<2>")).toBe("https://wandb.ai/a/b?x=1&amp;y=&lt;2&gt;");
    const html = runReportHtml({
      flowName: evil,
      runId: "1",
      successful: true,
      stepRuns: [{ step: "start", taskId: "1", runName: evil, url: "javascript:alert(1)" }],
      summaries: [],
      artifacts: [],
      syncCommand: `wbflow sync ${evil}`,
    });
    expectNoInjectedMarkup(html);
    expect(html).not.toMatch(/href="javascript:/);
    expect(html).toContain(`href="#"`);
  });

  it("progress bar and live run panel", () => {
    expectNoInjectedMarkup(progressHtml({ label: evil, done: 37, total: 100 }));
    expect(progressText({ label: "hashing", done: 37, total: 100 }, 10)).toBe("hashing  [████░░░░░░]  37/100 (37%)");
    const live = {
      flowName: evil,
      runId: "7",
      state: "running" as const,
      elapsedMs: 12_300,
      steps: [{ name: "train", state: "running" as const, finishedTasks: 37, totalTasks: 100, runs: [{ label: evil, directory: evil }] }],
    };
    expectNoInjectedMarkup(liveRunHtml(live));
    expect(liveRunText(live)).toContain("37/100");
    expect(liveRunText(live)).toContain("12.3 s");
  });
});

describe("run report headline", () => {
  it("says finished, failed or interrupted", () => {
    const base = { flowName: "F", runId: "1", stepRuns: [], summaries: [], artifacts: [] };
    expect(runReportText({ ...base, successful: true })).toMatch(/^F\/1 finished/);
    expect(runReportText({ ...base, successful: false })).toMatch(/^F\/1 failed/);
    expect(runReportText({ ...base, successful: false, interrupted: true })).toMatch(/^F\/1 interrupted/);
    expect(runReportHtml({ ...base, successful: false, interrupted: true })).toContain("F/1 interrupted</h3>");
  });
});

describe("graphs as SVG through Graphviz (WebAssembly)", () => {
  const dag: DagData = {
    flowName: "BranchFlow",
    steps: {
      start: { name: "start", type: "split-foreach", next: ["train"], foreachVar: "alphas" },
      train: { name: "train", type: "linear", next: ["join"] },
      join: { name: "join", type: "join", next: ["end"] },
      end: { name: "end", type: "end", next: [] },
    },
  };

  it("draws the flow DAG with states and foreach progress, well-formed", async () => {
    const svg = await renderDotToSvg(flowDagDot(dag, { start: { state: "done" }, train: { state: "running", finishedTasks: 37, totalTasks: 100 } }));
    expect(parseXmlRoot(svg)).toBe("svg");
    expect(svg).toContain("37/100");
    expect(svg).toContain("foreach alphas");
    expect(svg).toContain("#ffcc33");
  });

  it("draws lineage with hostile labels escaped, well-formed", async () => {
    const svg = await renderDotToSvg(
      lineageDot({
        runs: [{ id: "r1", label: `start ${evil}`, url: "https://wandb.ai/e/p/runs/r1" }, { id: "r2", label: "train" }],
        artifacts: [{ id: "a1", label: `${evil}:v0`, type: "dataset" }],
        edges: [{ from: "r1", to: "a1" }, { from: "a1", to: "r2" }],
      }),
    );
    expect(parseXmlRoot(svg)).toBe("svg");
    expectNoInjectedMarkup(svg);
    expect(svg).toContain("https://wandb.ai/e/p/runs/r1");
  });

  it("reports Graphviz errors clearly", async () => {
    await expect(renderDotToSvg("digraph { a -> }")).rejects.toThrow(/Graphviz could not lay out the graph/);
  });
});

describe("escapeHtml", () => {
  it("escapes the five HTML-significant characters", () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe("&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;");
  });
});
