/**
 * A history row's JSON line built straight from its items' JSON texts (reference §3.4: the row is
 * made from the items only). Values are spliced in as written — never parsed and re-encoded — so
 * extended JSON (`NaN`, `Infinity`) passes through and 100k rows cost string joins, not parsing.
 */
import type { HistoryItem } from "../../protocol/records.js";

type Node = string | Map<string, Node>;

function serialize(node: Map<string, Node>): string {
  const parts: string[] = [];
  for (const [key, value] of node) parts.push(`${JSON.stringify(key)}:${typeof value === "string" ? value : serialize(value)}`);
  return `{${parts.join(",")}}`;
}

/** The JSON line of a row; a nested key (`nestedKey: ["a","b"]`) becomes `{"a":{"b":…}}`. */
export function historyRowLine(items: readonly HistoryItem[]): string {
  const flat = flatRowLine(items);
  if (flat !== undefined) return flat;
  const root = new Map<string, Node>();
  for (const item of items) {
    const path = item.nestedKey && item.nestedKey.length > 0 ? item.nestedKey : [item.key ?? ""];
    let node = root;
    for (const part of path.slice(0, -1)) {
      let next = node.get(part);
      if (typeof next !== "object") node.set(part, (next = new Map()));
      node = next;
    }
    node.set(path[path.length - 1]!, item.valueJson ?? "null");
  }
  return serialize(root);
}

/** JSON-quoted keys, reused: the same few keys repeat in every row. */
const quotedKeys = new Map<string, string>();
function quoted(key: string): string {
  let text = quotedKeys.get(key);
  if (text === undefined) {
    text = JSON.stringify(key);
    if (quotedKeys.size < 10_000) quotedKeys.set(key, text);
  }
  return text;
}

/** The common case — top-level keys, each once — joined without building a tree. */
function flatRowLine(items: readonly HistoryItem[]): string | undefined {
  const seen = new Set<string>();
  const parts: string[] = [];
  for (const item of items) {
    const key = item.key ?? "";
    if ((item.nestedKey && item.nestedKey.length > 0) || seen.has(key)) return undefined;
    seen.add(key);
    parts.push(`${quoted(key)}:${item.valueJson ?? "null"}`);
  }
  return `{${parts.join(",")}}`;
}
