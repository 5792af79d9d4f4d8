/** `wbflow show FILE [FlowName] [--svg OUT]`: the flow's graph as text, or as an SVG picture. */
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { graphSvg, graphText } from "../../commands/show.js";
import type { CliCommand } from "../command.js";
import { EXIT_OK } from "../exit-codes.js";
import { loadFlowClass } from "./flow-file.js";
import { DATASTORE_OPTION, parseOptions } from "../parse-options.js";

const usage = `Usage: wbflow show FILE [FlowName] [--svg OUT] [--json]

Prints the flow's steps in graph order, each with its kind (split, foreach, switch, join) and the
steps it goes to. The flow is checked first, as before a run.

Options:
  --svg OUT             also draw the graph (Graphviz) into the SVG file OUT
  --json                the graph as JSON (what every run stores as _graph_info)
  --datastore DIR       accepted like every command's (show reads no runs)`;

async function show(args: string[]): Promise<number> {
  const { values, positionals } = parseOptions(
    args,
    { ...DATASTORE_OPTION, svg: { type: "string" }, json: { type: "boolean" } },
    { min: 1, max: 2, what: "the file that defines the flow" },
  );
  const flow = await loadFlowClass(positionals[0]!, positionals[1], "show");
  const graph = flow.check();
  console.log(values.json ? JSON.stringify(graph, null, 2) : graphText(graph));
  if (values.svg !== undefined) {
    await writeFile(values.svg, await graphSvg(graph));
    if (!values.json) console.log(`\nDrew the graph into ${path.resolve(values.svg)}.`);
  }
  return EXIT_OK;
}

/** The `wbflow show` command. */
export const showCommand: CliCommand = { name: "show", summary: "Print a flow's graph (or draw it as SVG)", usage, run: show };
