/**
 * `run.summary`: one value per key describing the run. Logged history keys set it to their last value;
 * explicit sets override. Each change is recorded as a `summary` record.
 */
import { deletePath, getPath, pathOf, setPath, snapshot, toItem, type JsonTree, type KeyPath } from "./key-value-tree.js";
import type { SummaryItem, SummaryRecord } from "../protocol/records.js";

/** One value per key describing a run (`run.summary`); logged history keys keep their last value here. */
export class RunSummary {
  private readonly tree: JsonTree = {};

  constructor(private readonly record: (summary: SummaryRecord) => void) {}

  /** Sets one key or nested path. */
  set(key: KeyPath, value: unknown): void {
    this.record({ update: [this.put(pathOf(key), value)] });
  }

  /** Sets several top-level keys in one record; nothing changes if any value is unrepresentable. */
  update(values: Record<string, unknown>): void {
    const items = Object.entries(values).map(([key, value]) => toItem([key], value, "summary"));
    for (const [key, value] of Object.entries(values)) setPath(this.tree, [key], snapshot(value, `summary.${key}`));
    this.record({ update: items });
  }

  /** Removes a key or nested path. */
  remove(key: KeyPath): void {
    const path = pathOf(key);
    deletePath(this.tree, path);
    this.record({ remove: [path.length === 1 ? { key: path[0]! } : { nestedKey: path }] });
  }

  get(key: KeyPath): unknown {
    return structuredClone(getPath(this.tree, pathOf(key)));
  }

  toJSON(): JsonTree {
    return structuredClone(this.tree);
  }

  /** Applies already-encoded items (from a committed history row) and records them. */
  applyEncoded(items: SummaryItem[], values: Array<[string[], unknown]>): void {
    for (const [path, value] of values) setPath(this.tree, path, value);
    this.record({ update: items });
  }

  private put(path: string[], value: unknown): SummaryItem {
    const item = toItem(path, value, "summary");
    setPath(this.tree, path, snapshot(value, `summary.${path.join(".")}`));
    return item;
  }
}
