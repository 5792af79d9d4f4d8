/**
 * Which row of the logging table an attribute value belongs to: a basic value (→ summary), a dataset,
 * a model, or anything else.
 */
import { fileURLToPath } from "node:url";
import { FilePath, isExportableTable, isModel, type ExportableTable } from "../../codecs/index.js";
import { toSummaryValue, type SummaryValue } from "./summary-value.js";

/** Artifact kinds, named as W&B's artifact types. */
export type ArtifactKind = "dataset" | "model" | "other";

/** A classified attribute value. */
export type ValueKind =
  | { kind: "basic"; summary: SummaryValue }
  | { kind: "dataset"; form: "table"; table: ExportableTable }
  | { kind: "dataset"; form: "path"; path: string }
  | { kind: "model" }
  | { kind: "other" };

/** Classifies a value: tables and files are datasets, registered models are models, JSON-friendly values are basic. */
export function classifyValue(value: unknown, name: string): ValueKind {
  if (isExportableTable(value)) return { kind: "dataset", form: "table", table: value };
  if (value instanceof FilePath) return { kind: "dataset", form: "path", path: value.path };
  if (value instanceof URL && value.protocol === "file:") return { kind: "dataset", form: "path", path: fileURLToPath(value) };
  if (isModel(value)) return { kind: "model" };
  const summary = toSummaryValue(value, name);
  return summary.basic ? { kind: "basic", summary: summary.value } : { kind: "other" };
}
