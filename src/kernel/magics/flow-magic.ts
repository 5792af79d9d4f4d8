/**
 * `%flow show|check|run|runs NAME`: the notebook's flows — the graph as a picture, the lint check,
 * a run in this kernel (shown live, then reported), and the table of past runs.
 */
import { Flow } from "../../flow/client/flow.js";
import { flowDagDot } from "../../display/flow-dag.js";
import { renderDotToSvg } from "../../display/graphviz.js";
import { escapeHtml } from "../../display/html-escape.js";
import { htmlTable, textTable, type TableCell } from "../../display/html-table.js";
import type { Magic } from "./magic.js";
import { FLOW_MAGIC_SUMMARY } from "./summaries.js";
import { findFlowClass, type FlowClass } from "../flow-view/flow-lookup.js";
import type { GraphInfo } from "../../flow/graph/graph-info.js";
import { MagicUsageError, Notice } from "./notice.js";

const flowName = { name: "name", help: "the flow class, defined in an earlier cell" };

/** The most past runs `%flow runs` lists. */
export const MAX_LISTED_RUNS = 20;

/** Runs the flow's check and returns its graph; its errors are shown to the user as they are. */
function checkedGraph(flow: FlowClass): GraphInfo {
  try {
    return flow.check();
  } catch (error) {
    // Lint and definition errors already name the step and the fix: show them as they are.
    if (error instanceof Error) throw Object.assign(error, { userFacing: true });
    throw error;
  }
}

/** Creates `%flow`. */
export function flowMagic(): Magic {
  return {
    name: "flow",
    summary: FLOW_MAGIC_SUMMARY,
    modes: ["line"],
    subcommands: {
      show: {
        summary: "Draw the flow's graph (steps, branches, foreach, joins).",
        arguments: { positionals: [flowName] },
        async run(args, context) {
          const flow = findFlowClass(context.locals, args.positionals.name!, "%flow show");
          const graph = checkedGraph(flow);
          const svg = await renderDotToSvg(flowDagDot({ flowName: graph.flowName, steps: graph.steps }));
          const text = Object.values(graph.steps).map((s) => `${s.name} -> ${s.next.join(", ") || "(end)"}`).join("\n");
          return { toMimeBundle: () => ({ "text/plain": `${graph.flowName}\n${text}`, "image/svg+xml": svg }) };
        },
      },
      check: {
        summary: "Check the flow's definition and graph; the first problem names the step and the fix.",
        arguments: { positionals: [flowName] },
        async run(args, context) {
          const flow = findFlowClass(context.locals, args.positionals.name!, "%flow check");
          const graph = checkedGraph(flow);
          const steps = Object.keys(graph.steps);
          return new Notice(`${graph.flowName} is valid: ${steps.length} steps (${steps.join(", ")}), ${graph.parameters.length} parameters.`);
        },
      },
      run: {
        summary: "Run the flow in this kernel with parameters; shows live progress, then the run report.",
        arguments: { positionals: [flowName], allowUnknownOptions: true },
        async run(args, context) {
          const flow = findFlowClass(context.locals, args.positionals.name!, "%flow run");
          checkedGraph(flow);
          // The kernel's flow-run watcher shows the live display and the report of this run.
          const run = await flow.run(args.extraOptions, { throwOnFailure: false });
          if (!run.successful) {
            throw Object.assign(new Error(`${run.pathspec} failed: ${run.error?.message ?? "see the step outputs above"}`), { name: "FlowRunError", userFacing: true });
          }
          return undefined;
        },
      },
      runs: {
        summary: `List the flow's past runs, newest first (at most ${MAX_LISTED_RUNS}).`,
        arguments: { positionals: [flowName] },
        async run(args) {
          const name = args.positionals.name!;
          let runs;
          try {
            runs = (await new Flow(name).runs()).slice(0, MAX_LISTED_RUNS);
          } catch (error) {
            if (error instanceof Error && error.name === "ClientNotFoundError") throw new MagicUsageError(`%flow runs: ${error.message}`);
            throw error;
          }
          const rows = await Promise.all(
            runs.map(async (run): Promise<TableCell[]> => {
              const [created, finished, successful, tags] = await Promise.all([run.createdAt(), run.finished(), run.successful(), run.userTags()]);
              return [run.id, created.toISOString().replace("T", " ").slice(0, 19), finished ? (successful ? "successful" : "failed") : "not finished", tags.join(", ")];
            }),
          );
          if (rows.length === 0) return new Notice(`${name} has no runs yet. Run it with %flow run ${name}.`);
          const headers = ["run", "created (UTC)", "status", "tags"];
          return new Notice(textTable(headers, rows), `<h4>${escapeHtml(name)}: runs</h4>${htmlTable(headers, rows, "wbflow-runs-table")}`);
        },
      },
    },
  };
}
