/** `run.config`: the run's hyperparameters. Each change is validated, applied and recorded at once. */
import { getPath, pathOf, setPath, snapshot, toItem, type JsonTree, type KeyPath } from "./key-value-tree.js";
import type { ConfigRecord } from "../protocol/records.js";

/** A run's hyperparameters (`run.config`): set keys with `set`/`update`; each change is recorded at once. */
export class RunConfig {
  private readonly tree: JsonTree = {};

  /** @param record receives one `config` record per change (omitted for the initial config). */
  constructor(private readonly record: (config: ConfigRecord) => void) {}

  /**
   * Sets top-level keys (each value replaces the key's previous value whole, as W&B's
   * `config.update` does). Throws `UnrepresentableValueError` naming the key before changing anything.
   */
  update(values: Record<string, unknown>): void {
    this.record(this.apply(values));
  }

  /** Sets one key, or a nested path such as `["model", "layers"]`. */
  set(key: KeyPath, value: unknown): void {
    const path = pathOf(key);
    const item = toItem(path, value, "config");
    setPath(this.tree, path, snapshot(value, `config.${path.join(".")}`));
    this.record({ update: [item] });
  }

  get(key: KeyPath): unknown {
    return structuredClone(getPath(this.tree, pathOf(key)));
  }

  /** A copy of the whole config. */
  toJSON(): JsonTree {
    return structuredClone(this.tree);
  }

  /** Applies `values` without recording them (the initial config travels in the run record). */
  apply(values: Record<string, unknown>): ConfigRecord {
    const items = Object.entries(values).map(([key, value]) => toItem([key], value, "config"));
    for (const [key, value] of Object.entries(values)) setPath(this.tree, [key], snapshot(value, `config.${key}`));
    return { update: items };
  }
}
