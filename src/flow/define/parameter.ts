/**
 * Flow parameters: `alpha = Parameter("alpha", { default: 0.5 })`. Resolved once when a run starts,
 * stored with the run, and read-only inside steps.
 */
import { ParameterError, FlowDefinitionError } from "../errors.js";

/** The value types a parameter can have. */
export type ParameterTypeName = "string" | "number" | "boolean" | "json";

/** The TypeScript type of a parameter of the given type name. */
export type ParameterValueOf<N extends ParameterTypeName> = N extends "string"
  ? string
  : N extends "number"
    ? number
    : N extends "boolean"
      ? boolean
      : unknown;

/** What a function default receives (Metaflow's ParameterContext). */
export interface ParameterContext {
  flowName: string;
  userName: string;
  parameterName: string;
}

/** Options of {@link Parameter}. */
export interface ParameterOptions<T = unknown> {
  /** The value when none is given; a function is called once when the run starts. */
  default?: T | ((context: ParameterContext) => T);
  /** The value type; inferred from the default when omitted, else "string". */
  type?: ParameterTypeName;
  /** One line shown in `--help` and in the notebook. */
  help?: string;
  /** A run without a value (and without a default) is refused. */
  required?: boolean;
  /** For string parameters: split the value at this separator into a string array. */
  separator?: string;
}

const DECLARATION = Symbol.for("wbflow.parameterDeclaration");

/** A parameter as declared on a flow; what `Parameter(...)` really returns. */
export interface ParameterDeclaration {
  readonly [DECLARATION]: true;
  /** The name users pass values by, e.g. `--alpha` or `run({ alpha })`. */
  readonly name: string;
  readonly options: Readonly<ParameterOptions>;
}

/** Names the CLI and run options use themselves. */
const RESERVED_NAMES = new Set([
  "params", "with", "tag", "tags", "namespace", "obj", "decospecs", "run-id-file", "max-num-splits",
  "max-workers", "max-log-size", "user-namespace", "run-id", "task-id", "runner-attribute-file",
  "help", "datastore", "origin-run-id", "step",
]);

/** Declares a string parameter split into a list at `separator`. */
export function Parameter(name: string, options: ParameterOptions<string> & { separator: string }): string[];
/** Declares a parameter whose type follows from its default. */
export function Parameter<T>(
  name: string,
  options: ParameterOptions<T> & { default: T | ((context: ParameterContext) => T) },
): T;
/** Declares a required parameter of the given type. */
export function Parameter<N extends ParameterTypeName>(
  name: string,
  options: ParameterOptions & { type: N; required: true },
): ParameterValueOf<N>;
/** Declares an optional parameter of the given type; undefined when not given. */
export function Parameter<N extends ParameterTypeName>(
  name: string,
  options: ParameterOptions & { type: N },
): ParameterValueOf<N> | undefined;
/** Declares an optional string parameter. */
export function Parameter(name: string, options?: ParameterOptions<string>): string | undefined;
/**
 * Declares a flow parameter as a class field: `alpha = Parameter("alpha", { default: 0.5 })`.
 * Inside steps `this.alpha` is the resolved value (typed from the default or `type`).
 */
export function Parameter(name: string, options: ParameterOptions<unknown> = {}): unknown {
  if (typeof name !== "string" || name.length === 0) {
    throw new FlowDefinitionError(`Parameter(name, options) needs a non-empty name; got ${String(name)}.`);
  }
  for (const field of ["required", "separator", "type", "help"] as const) {
    if (typeof options[field] === "function") {
      throw new FlowDefinitionError(`Parameter '${name}': option '${field}' cannot be a function; only 'default' can.`);
    }
  }
  const declaration: ParameterDeclaration = { [DECLARATION]: true, name, options: { ...options } };
  return Object.freeze(declaration);
}

/** Whether a value is a parameter declaration made by {@link Parameter}. */
export function isParameterDeclaration(value: unknown): value is ParameterDeclaration {
  return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[DECLARATION] === true;
}

/** A parameter of a flow class, with its attribute name and settled type. */
export interface FlowParameter {
  /** The class field holding it, e.g. `alpha` for `alpha = Parameter("learning-rate", ...)`. */
  attribute: string;
  name: string;
  /** The declared type, or undefined when it is inferred from a function default at run time. */
  type: ParameterTypeName | undefined;
  options: Readonly<ParameterOptions>;
}

function typeOfDefault(value: unknown): ParameterTypeName {
  if (typeof value === "number") return "number";
  if (typeof value === "boolean") return "boolean";
  if (typeof value === "string") return "string";
  return "json";
}

/** Checks a parameter declaration and settles its type (`flowName` is for messages). */
export function describeParameter(attribute: string, declaration: ParameterDeclaration, flowName: string): FlowParameter {
  const { name, options } = declaration;
  const where = `Parameter '${name}' of flow ${flowName}`;
  if (RESERVED_NAMES.has(name.toLowerCase()) || RESERVED_NAMES.has(name.toLowerCase().replaceAll("_", "-"))) {
    throw new FlowDefinitionError(`${where}: '${name}' is a reserved option name of wbflow. Rename the parameter.`);
  }
  if (!/^[A-Za-z_][A-Za-z0-9_-]*$/.test(name)) {
    throw new FlowDefinitionError(
      `${where}: the name may contain only letters, digits, '_' and '-', and must start with a letter or '_'.`,
    );
  }
  const hasDefault = options.default !== undefined;
  const type =
    options.type ?? (hasDefault && typeof options.default !== "function" ? typeOfDefault(options.default) : hasDefault ? undefined : "string");
  if (options.type !== undefined && !["string", "number", "boolean", "json"].includes(options.type)) {
    throw new FlowDefinitionError(`${where}: type '${String(options.type)}' is not one of string, number, boolean, json.`);
  }
  if (options.separator !== undefined && type !== "string" && type !== undefined) {
    throw new FlowDefinitionError(`${where}: a separator is only allowed for string parameters (this one is ${type}).`);
  }
  if (hasDefault && typeof options.default !== "function" && type !== undefined) {
    checkValueType(options.default, type, `${where}: its default`);
  }
  return { attribute, name, type, options };
}

function checkValueType(value: unknown, type: ParameterTypeName, what: string): void {
  const ok =
    type === "json" ||
    (type === "number" && typeof value === "number" && Number.isFinite(value)) ||
    (type === "boolean" && typeof value === "boolean") ||
    (type === "string" && typeof value === "string");
  if (!ok) {
    const shown = typeof value === "number" ? String(value) : (JSON.stringify(value) ?? String(value));
    const finite = type === "number" && typeof value === "number" ? " finite" : "";
    throw new ParameterError(`${what} is ${shown} (${typeof value}), but the parameter is a${finite} ${type}.`);
  }
}

const TRUE_WORDS = new Set(["true", "1", "yes", "y", "on"]);
const FALSE_WORDS = new Set(["false", "0", "no", "n", "off"]);

/** Parses a value given as text (from the command line) to the parameter's type. */
function parseText(text: string, type: ParameterTypeName, where: string): unknown {
  switch (type) {
    case "string":
      return text;
    case "number": {
      const value = Number(text);
      if (text.trim() === "" || Number.isNaN(value)) {
        throw new ParameterError(`${where}: '${text}' is not a number. Pass a number such as 0.5.`);
      }
      if (!Number.isFinite(value)) {
        throw new ParameterError(`${where}: '${text}' is not a finite number (it would be ${value}). Pass a number between ±1.7e308, such as 0.5.`);
      }
      return value;
    }
    case "boolean": {
      const word = text.toLowerCase();
      if (TRUE_WORDS.has(word)) return true;
      if (FALSE_WORDS.has(word)) return false;
      throw new ParameterError(`${where}: '${text}' is not a boolean. Pass true or false.`);
    }
    case "json":
      try {
        return JSON.parse(text);
      } catch (error) {
        throw new ParameterError(`${where}: '${text}' is not valid JSON (${(error as Error).message}).`);
      }
  }
}

/**
 * Resolves a parameter's value for a run: the given value (text is parsed per the type, other values
 * are type-checked), else the default (a function default is called), else undefined or an error when
 * required. A separator splits string values into lists.
 */
export function resolveParameterValue(
  parameter: FlowParameter,
  given: unknown,
  context: ParameterContext,
): unknown {
  const where = `Parameter '${parameter.name}' of flow ${context.flowName}`;
  let value: unknown;
  let type = parameter.type;
  if (given !== undefined) {
    value = given;
  } else if (parameter.options.default !== undefined) {
    const fallback = parameter.options.default;
    value = typeof fallback === "function" ? (fallback as (c: ParameterContext) => unknown)(context) : fallback;
    type ??= typeOfDefault(value);
  } else if (parameter.options.required) {
    throw new ParameterError(
      `${where} is required but no value was given. Pass it as run({ ${parameter.name}: ... }) or --${parameter.name} VALUE.`,
    );
  } else {
    return undefined;
  }
  type ??= "string";
  if (typeof value === "string" && type !== "string") value = parseText(value, type, where);
  else checkValueType(value, type, `${where}: the value`);
  if (parameter.options.separator !== undefined && typeof value === "string") {
    return value.split(parameter.options.separator);
  }
  return value;
}
