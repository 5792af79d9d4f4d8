/**
 * Which artifact names a step (or a helper method it calls) can read, read from its source: every
 * identifier and string literal it mentions. Tasks decode only those artifacts, so a step that
 * reads two small values does not pay for the big tables its ancestors stored. A source that
 * reaches artifacts by computed names or enumerates objects is "dynamic": its tasks load everything.
 */
import { parse, type Node } from "acorn";

/** What a function's source mentions. */
export interface SourceReferences {
  /** Identifiers and string literals in the source. */
  names: Set<string>;
  /** The source enumerates objects or uses computed names on `this`: load every artifact. */
  dynamic: boolean;
}

type AnyNode = Node & Record<string, unknown>;

const ENUMERATING_CALLS = new Set([
  "Object.keys",
  "Object.values",
  "Object.entries",
  "Object.assign",
  "Object.getOwnPropertyNames",
  "Object.getOwnPropertyDescriptors",
  "JSON.stringify",
  "structuredClone",
]);

function parseAny(source: string): AnyNode | undefined {
  for (const text of [`(${source})`, `({${source}})`]) {
    try {
      return parse(text, { ecmaVersion: "latest", sourceType: "script", allowAwaitOutsideFunction: true }) as unknown as AnyNode;
    } catch {
      // try the next wrapping
    }
  }
  return undefined;
}

function calleeName(node: AnyNode): string | undefined {
  const callee = node.callee as AnyNode;
  if (callee.type === "Identifier") return callee.name as string;
  if (callee.type === "MemberExpression" && !callee.computed) {
    const object = callee.object as AnyNode;
    const property = callee.property as AnyNode;
    if (object.type === "Identifier" && property.type === "Identifier") return `${object.name as string}.${property.name as string}`;
  }
  return undefined;
}

/** The syntax nodes directly under `node` (ESTree: any property holding a node or an array of nodes). */
function childNodes(node: AnyNode): AnyNode[] {
  const isNode = (value: unknown): value is AnyNode =>
    value !== null && typeof value === "object" && typeof (value as AnyNode).type === "string";
  return Object.entries(node)
    .filter(([key]) => key !== "type" && key !== "start" && key !== "end")
    .flatMap(([, child]) => (Array.isArray(child) ? child.filter(isNode) : isNode(child) ? [child] : []));
}

/** Reads the references of a function source; undefined when it cannot be parsed. */
export function readSourceReferences(source: string): SourceReferences | undefined {
  const program = parseAny(source);
  if (!program) return undefined;
  const names = new Set<string>();
  const thisAliases = new Set<string>();
  let dynamic = false;
  const isThis = (node: AnyNode): boolean =>
    node.type === "ThisExpression" || (node.type === "Identifier" && thisAliases.has(node.name as string));

  const visit = (node: AnyNode, parent: AnyNode | undefined): void => {
    switch (node.type) {
      case "Identifier":
        names.add(node.name as string);
        if (thisAliases.has(node.name as string)) checkThisUse(node, parent);
        break;
      case "Literal":
        if (typeof node.value === "string") names.add(node.value);
        break;
      case "TemplateElement":
        names.add(String((node.value as { cooked?: string }).cooked ?? ""));
        break;
      case "ThisExpression":
        checkThisUse(node, parent);
        break;
      case "VariableDeclarator":
        if ((node.init as AnyNode | null)?.type === "ThisExpression" && (node.id as AnyNode).type === "Identifier") {
          thisAliases.add((node.id as AnyNode).name as string);
        }
        break;
      case "MemberExpression":
        if (node.computed && isThis(node.object as AnyNode) && (node.property as AnyNode).type !== "Literal") dynamic = true;
        break;
      case "CallExpression": {
        const name = calleeName(node);
        if (name && (ENUMERATING_CALLS.has(name) || name.startsWith("Reflect.") || name === "eval")) dynamic = true;
        break;
      }
      case "SpreadElement":
      case "ForInStatement":
      case "WithStatement":
        dynamic = true;
        break;
    }
    for (const child of childNodes(node)) visit(child, node);
  };

  // `this` (or an alias) used other than as `this.name`, `this["name"]` or `alias = this` may escape.
  const checkThisUse = (node: AnyNode, parent: AnyNode | undefined): void => {
    if (!parent) return;
    if (parent.type === "MemberExpression" && parent.object === node) return;
    if (parent.type === "VariableDeclarator" && parent.init === node) return;
    if (parent.type === "VariableDeclarator" && parent.id === node) return;
    dynamic = true;
  };

  visit(program, undefined);
  return { names, dynamic };
}
