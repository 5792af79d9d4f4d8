/** Finds a flow class defined in the notebook by name, for `%flow show|check|run NAME`. */
import { FlowSpec } from "../../flow/define/spec.js";
import { MagicUsageError } from "../magics/notice.js";

/** A FlowSpec subclass, as `%flow` uses it. */
export type FlowClass = typeof FlowSpec;

/** The flow class `name` among the notebook's variables; a clear error when it is not one. */
export function findFlowClass(locals: Record<string, unknown>, name: string, usage: string): FlowClass {
  const candidate = locals[name];
  if (candidate === undefined) {
    const flows = Object.entries(locals)
      .filter(([, value]) => typeof value === "function" && value.prototype instanceof FlowSpec)
      .map(([key]) => key);
    const known = flows.length > 0 ? `Flows defined in this notebook: ${flows.join(", ")}.` : "No flow class is defined in this notebook yet.";
    throw new MagicUsageError(`${usage}: there is no '${name}' in this notebook. ${known} Define it with \`class ${name} extends FlowSpec { ... }\` in a cell first.`);
  }
  if (typeof candidate !== "function" || !(candidate.prototype instanceof FlowSpec)) {
    throw new MagicUsageError(`${usage}: '${name}' is not a flow class (a class that extends FlowSpec from "wbflow").`);
  }
  return candidate as FlowClass;
}
