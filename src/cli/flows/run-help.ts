/** `wbflow run FILE --help`: the usage followed by the flow's parameters. */
import type { FlowParameter } from "../../flow/define/parameter.js";

function typeLabel(parameter: FlowParameter): string {
  if (parameter.options.separator !== undefined) return `list (split at ${JSON.stringify(parameter.options.separator)})`;
  return parameter.type ?? "from default";
}

function defaultLabel(parameter: FlowParameter): string {
  const fallback = parameter.options.default;
  if (typeof fallback === "function") return "computed when the run starts";
  if (fallback !== undefined) return `default ${JSON.stringify(fallback) ?? String(fallback)}`;
  return parameter.options.required ? "required" : "optional";
}

/** A table of a flow's parameters: name, type, default, help; one line per parameter. */
export function parametersHelp(flowName: string, parameters: FlowParameter[]): string {
  if (parameters.length === 0) return `${flowName} has no parameters.`;
  const rows = parameters.map((p) => [`--${p.name}`, typeLabel(p), defaultLabel(p), p.options.help ?? ""]);
  const widths = [0, 1, 2].map((column) => Math.max(...rows.map((row) => row[column]!.length)));
  const lines = rows.map((row) => `  ${row.map((cell, i) => (i < 3 ? cell.padEnd(widths[i]!) : cell)).join("  ")}`.trimEnd());
  return [`Parameters of ${flowName}:`, ...lines].join("\n");
}
