/**
 * Reads a step's transition from its compiled source (`Function.prototype.toString()`), parsed with
 * acorn: the number of arguments and the `this.next(...)` call that ends the body. Handles what
 * tsc (both decorator modes, any target from ES2017), tslab and esbuild emit: methods, async methods,
 * function expressions, `_this.next(...)` aliases and `__awaiter` wrappers.
 */
import { parse, type Node } from "acorn";

/** A transition as written in the source. */
export type SourceTransition =
  | { kind: "linear"; targets: [string] }
  | { kind: "split"; targets: string[] }
  | { kind: "foreach"; targets: [string]; foreachVar: string }
  | { kind: "switch"; cases: Array<[key: string, target: string]>; condition: string | undefined }
  /** A `this.next(...)` whose shape is not supported; `reason` says what is wrong. */
  | { kind: "invalid"; reason: string };

/** What the source of one step says. */
export interface StepSource {
  /** Declared parameters besides `this` (1 for a join's `inputs`). */
  argumentCount: number;
  /** The call ending the body, or undefined when the last statement is not `this.next(...)`. */
  transition: SourceTransition | undefined;
  /** Whether the body calls `this.next` anywhere (used to explain a misplaced call). */
  callsNext: boolean;
}

/** Parses one step's source; throws a SyntaxError naming the step when it cannot be read. */
export function readStepSource(source: string, stepName: string): StepSource {
  const fn = parseFunction(source);
  if (!fn) {
    throw new SyntaxError(
      `Could not read the source of step '${stepName}' to find its this.next(...) call. ` +
        `Steps must be ordinary (or async) methods of the flow class.`,
    );
  }
  const body = unwrapAwaiter(fn.body);
  const aliases = thisAliases(body);
  const last = body.at(-1);
  const call = last ? nextCallOf(last, aliases) : undefined;
  return {
    argumentCount: fn.params.length,
    transition: call ? readTransition(call, aliases) : undefined,
    callsNext: containsNextCall(body, aliases),
  };
}

interface FunctionNode {
  params: Node[];
  body: Node[];
}

type AnyNode = Node & Record<string, unknown>;

function tryParse(text: string): AnyNode | undefined {
  try {
    return parse(text, { ecmaVersion: "latest", sourceType: "script", allowAwaitOutsideFunction: true }) as unknown as AnyNode;
  } catch {
    return undefined;
  }
}

/** The function node of a method or function source. */
function parseFunction(source: string): FunctionNode | undefined {
  // A function/arrow expression parses as is; a method (`name() {}`) only inside an object literal.
  const asExpression = tryParse(`(${source})`);
  const asMethod = asExpression ? undefined : tryParse(`({${source}})`);
  const program = asExpression ?? asMethod;
  if (!program) return undefined;
  let expression = ((program.body as AnyNode[])[0] as AnyNode | undefined)?.expression as AnyNode | undefined;
  if (expression?.type === "ObjectExpression") {
    expression = ((expression.properties as AnyNode[])[0] as AnyNode | undefined)?.value as AnyNode | undefined;
  }
  if (!expression || !/Function/.test(expression.type)) return undefined;
  const body = expression.body as AnyNode;
  if (body.type !== "BlockStatement") return { params: expression.params as Node[], body: [] };
  return { params: expression.params as Node[], body: body.body as Node[] };
}

/** `return __awaiter(this, ..., function* () { body })` (tsc below ES2017): the generator's body. */
function unwrapAwaiter(body: Node[]): Node[] {
  const only = body.length === 1 ? (body[0] as AnyNode) : undefined;
  const call = only?.type === "ReturnStatement" ? (only.argument as AnyNode | null) : undefined;
  if (call?.type !== "CallExpression") return body;
  const callee = call.callee as AnyNode;
  const name = callee.type === "Identifier" ? (callee.name as string) : undefined;
  if (!name || !/awaiter/i.test(name)) return body;
  const generator = (call.arguments as AnyNode[]).at(-1);
  const inner = generator?.body as AnyNode | undefined;
  return inner?.type === "BlockStatement" ? (inner.body as Node[]) : body;
}

/** Names bound to `this` at the top of the body (`var _this = this;` in downlevelled code). */
function thisAliases(body: Node[]): Set<string> {
  const aliases = new Set<string>();
  for (const statement of body as AnyNode[]) {
    if (statement.type !== "VariableDeclaration") continue;
    for (const declarator of statement.declarations as AnyNode[]) {
      const id = declarator.id as AnyNode;
      if (id.type === "Identifier" && (declarator.init as AnyNode | null)?.type === "ThisExpression") {
        aliases.add(id.name as string);
      }
    }
  }
  return aliases;
}

function isThis(node: AnyNode, aliases: Set<string>): boolean {
  return node.type === "ThisExpression" || (node.type === "Identifier" && aliases.has(node.name as string));
}

/** The member name of `this.name` / `this["name"]`, or undefined. */
function thisMember(node: AnyNode, aliases: Set<string>): string | undefined {
  if (node.type !== "MemberExpression" || !isThis(node.object as AnyNode, aliases)) return undefined;
  const property = node.property as AnyNode;
  if (!node.computed && property.type === "Identifier") return property.name as string;
  if (node.computed && property.type === "Literal" && typeof property.value === "string") return property.value;
  return undefined;
}

function isNextCall(node: AnyNode | null | undefined, aliases: Set<string>): node is AnyNode {
  return node?.type === "CallExpression" && thisMember(node.callee as AnyNode, aliases) === "next";
}

function nextCallOf(statement: Node, aliases: Set<string>): AnyNode | undefined {
  const node = statement as AnyNode;
  const expression =
    node.type === "ExpressionStatement" ? (node.expression as AnyNode) : node.type === "ReturnStatement" ? (node.argument as AnyNode | null) : undefined;
  return isNextCall(expression, aliases) ? expression : undefined;
}

function containsNextCall(nodes: Node[], aliases: Set<string>): boolean {
  const stack: unknown[] = [...nodes];
  while (stack.length > 0) {
    const value = stack.pop();
    if (Array.isArray(value)) stack.push(...value);
    else if (value && typeof value === "object" && typeof (value as AnyNode).type === "string") {
      if (isNextCall(value as AnyNode, aliases)) return true;
      for (const [key, child] of Object.entries(value)) if (key !== "type") stack.push(child);
    }
  }
  return false;
}

const OPTION_KEYS = new Set(["foreach", "condition"]);

function propertyKey(property: AnyNode): string | undefined {
  const key = property.key as AnyNode;
  if (property.computed) {
    return key.type === "Literal" && (typeof key.value === "string" || typeof key.value === "number") ? String(key.value) : undefined;
  }
  if (key.type === "Identifier") return key.name as string;
  if (key.type === "Literal") return String(key.value);
  return undefined;
}

function isOptionsObject(node: AnyNode): boolean {
  const properties = node.properties as AnyNode[];
  return (
    node.type === "ObjectExpression" &&
    properties.length > 0 &&
    properties.every((p) => p.type === "Property" && OPTION_KEYS.has(propertyKey(p) ?? ""))
  );
}

function stringOption(options: AnyNode | undefined, key: string): string | undefined | null {
  const property = (options?.properties as AnyNode[] | undefined)?.find((p) => propertyKey(p) === key);
  if (!property) return undefined;
  const value = property.value as AnyNode;
  return value.type === "Literal" && typeof value.value === "string" ? value.value : null;
}

function readTransition(call: AnyNode, aliases: Set<string>): SourceTransition {
  const args = [...(call.arguments as AnyNode[])];
  const options = args.length > 0 && isOptionsObject(args.at(-1)!) ? args.pop() : undefined;
  const foreachVar = stringOption(options, "foreach");
  const condition = stringOption(options, "condition");
  if (foreachVar === null) return { kind: "invalid", reason: "the foreach option must be a string literal naming an artifact" };
  if (condition === null) return { kind: "invalid", reason: "the condition option must be a string literal naming an artifact" };
  const first = args[0];
  if (first?.type === "ObjectExpression") {
    if (args.length > 1) return { kind: "invalid", reason: "a switch takes one object of cases and no other targets" };
    if (foreachVar !== undefined) return { kind: "invalid", reason: "a switch cannot be combined with foreach" };
    const cases: Array<[string, string]> = [];
    for (const property of first.properties as AnyNode[]) {
      const key = property.type === "Property" ? propertyKey(property) : undefined;
      if (key === undefined) {
        return { kind: "invalid", reason: "switch case keys must be string or number literals, not variables or computed values" };
      }
      const target = thisMember(property.value as AnyNode, aliases);
      if (target === undefined) return { kind: "invalid", reason: `switch case '${key}' must point at a step, as this.stepName` };
      cases.push([key, target]);
    }
    return { kind: "switch", cases, condition };
  }
  if (condition !== undefined) return { kind: "invalid", reason: "condition is only valid with an object of cases" };
  const targets: string[] = [];
  for (const arg of args) {
    const target = thisMember(arg, aliases);
    if (target === undefined) return { kind: "invalid", reason: "every target must be a step written as this.stepName" };
    targets.push(target);
  }
  if (targets.length === 0) return { kind: "invalid", reason: "it names no target step" };
  if (foreachVar !== undefined) {
    return targets.length === 1
      ? { kind: "foreach", targets: [targets[0]!], foreachVar }
      : { kind: "invalid", reason: "a foreach has exactly one target step" };
  }
  return targets.length === 1 ? { kind: "linear", targets: [targets[0]!] } : { kind: "split", targets };
}
