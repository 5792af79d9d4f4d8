/**
 * The nested key → value tree behind `run.config` and `run.summary`, and its conversion to and from
 * W&B's keyed JSON items (`key` for a top-level entry, `nestedKey` for a deeper path).
 */
import { parseExtendedJson, toExtendedJson } from "../protocol/extended-json.js";
import type { KeyedJsonItem } from "../protocol/records.js";

export type JsonTree = Record<string, unknown>;

function isPlainObject(value: unknown): value is JsonTree {
  return typeof value === "object" && value !== null && !Array.isArray(value) && Object.getPrototypeOf(value) === Object.prototype;
}

/** A key given as `"a"` or a path `["a", "b"]`. */
export type KeyPath = string | readonly string[];

export function pathOf(key: KeyPath): string[] {
  const parts = typeof key === "string" ? [key] : [...key];
  if (parts.length === 0 || parts.some((p) => p === "")) throw new TypeError(`key path ${JSON.stringify(key)} has an empty part`);
  return parts;
}

/** Own-property read: keys such as `__proto__` are data here, never the prototype. */
function own(node: JsonTree, key: string): unknown {
  return Object.hasOwn(node, key) ? node[key] : undefined;
}

/** Own-property write that cannot reach the prototype (a key may be `__proto__`). */
export function put(node: JsonTree, key: string, value: unknown): void {
  Object.defineProperty(node, key, { value, writable: true, enumerable: true, configurable: true });
}

/** Sets `path` in `tree` to `value`, creating intermediate objects. */
export function setPath(tree: JsonTree, path: readonly string[], value: unknown): void {
  let node = tree;
  for (const part of path.slice(0, -1)) {
    if (!isPlainObject(own(node, part))) put(node, part, {});
    node = own(node, part) as JsonTree;
  }
  put(node, path[path.length - 1]!, value);
}

export function getPath(tree: JsonTree, path: readonly string[]): unknown {
  let node: unknown = tree;
  for (const part of path) {
    if (!isPlainObject(node)) return undefined;
    node = own(node, part);
  }
  return node;
}

export function deletePath(tree: JsonTree, path: readonly string[]): void {
  const parent = getPath(tree, path.slice(0, -1));
  if (isPlainObject(parent)) delete parent[path[path.length - 1]!];
}

/** The item for `value` at `path` (validated and encoded; `label` prefixes the key in errors). */
export function toItem(path: readonly string[], value: unknown, label: string): KeyedJsonItem {
  const valueJson = toExtendedJson(value, `${label}.${path.join(".")}`);
  return path.length === 1 ? { key: path[0]!, valueJson } : { nestedKey: [...path], valueJson };
}

function itemPath(item: KeyedJsonItem): string[] {
  return item.nestedKey && item.nestedKey.length > 0 ? item.nestedKey : [item.key ?? ""];
}

/** Applies update and remove items (as read from a log) to `tree`. */
export function applyItems(tree: JsonTree, update: KeyedJsonItem[] = [], remove: KeyedJsonItem[] = []): void {
  for (const item of update) setPath(tree, itemPath(item), parseExtendedJson(item.valueJson ?? "null"));
  for (const item of remove) deletePath(tree, itemPath(item));
}

/** A deep copy through extended JSON, so stored values cannot be changed by the caller afterwards. */
export function snapshot(value: unknown, label: string): unknown {
  return parseExtendedJson(toExtendedJson(value, label));
}
