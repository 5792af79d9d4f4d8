/**
 * Builds the W&B artifact for one attribute value: a table as `{name}.parquet` with its schema and
 * shape, a file or folder as it is, a model as the model's own files, anything else as `{name}.bin`
 * (the codec's bytes) plus a readable `{name}.json` when JSON can show it and the value is at most
 * 8 MiB encoded. The artifact's metadata says how to read the value back (`wbflow`, see
 * `artifact-load.ts`).
 */
import { createWriteStream } from "node:fs";
import { mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { encodeValue, isArqueroTable, saveModel, tableToParquet, type ExportableTable } from "../../codecs/index.js";
import { Artifact } from "../../wandb/artifacts/artifact.js";
import type { ArtifactKind, ValueKind } from "./value-kind.js";

/** How `@wandb_log` wrote a value, kept in the artifact's metadata under `wbflow`. */
export type StoredForm =
  | { form: "table"; library: "arquero" | "arrow"; file: string }
  | { form: "file" | "folder"; entry: string }
  | { form: "model"; modelType: string }
  | { form: "encoded"; codec: string; file: string };

/** The `wbflow` metadata of an artifact logged by `@wandb_log`. */
export type WbflowArtifactMetadata = StoredForm & {
  /** The attribute the value was assigned to (the artifact name may be sanitised). */
  attribute: string;
  /** `Flow/run/step/task` of the task that logged it. */
  pathspec: string;
};

/** An artifact ready to log, and the scratch folder to remove once it is logged. */
export interface BuiltArtifact {
  artifact: Artifact;
  cleanup(): Promise<void>;
}

/** What to build an artifact from. */
export interface ArtifactSource {
  /** Sanitised artifact name. */
  name: string;
  attribute: string;
  pathspec: string;
  kind: ArtifactKind;
  classified: ValueKind;
  value: unknown;
}

async function writeEncoded(target: string, value: unknown): Promise<string> {
  const { codec, encoded } = await encodeValue(value);
  if ("bytes" in encoded) await writeFile(target, encoded.bytes);
  else await pipeline(encoded.stream(), createWriteStream(target));
  return codec.id;
}

/** Values whose encoded form is bigger than this get no `{name}.json` view. */
const MAX_JSON_VIEW_SOURCE_BYTES = 8 * 1024 * 1024;

/** A readable JSON view of a value, or undefined when JSON cannot show it. */
function jsonView(value: unknown): string | undefined {
  try {
    return JSON.stringify(value, (_key, item: unknown) => (typeof item === "bigint" ? item.toString() : item), 2);
  } catch {
    return undefined; // cycles: the .bin file alone holds the value
  }
}

type Base = Pick<WbflowArtifactMetadata, "attribute" | "pathspec">;

async function tableArtifact(name: string, base: Base, table: ExportableTable, scratch: string): Promise<Artifact> {
  const file = `${name}.parquet`;
  const parquet = await tableToParquet(table);
  await writeFile(path.join(scratch, file), parquet.bytes);
  const wbflow: WbflowArtifactMetadata = { ...base, form: "table", library: isArqueroTable(table) ? "arquero" : "arrow", file };
  const artifact = new Artifact(name, "dataset", { metadata: { wbflow, schema: parquet.schema, shape: [parquet.numRows, parquet.numCols] } });
  artifact.addFile(path.join(scratch, file));
  return artifact;
}

async function pathArtifact(name: string, base: Base, source: string): Promise<Artifact> {
  const isFolder = (await stat(source)).isDirectory();
  const entry = path.basename(source);
  const wbflow: WbflowArtifactMetadata = { ...base, form: isFolder ? "folder" : "file", entry };
  const artifact = new Artifact(name, "dataset", { metadata: { wbflow } });
  if (isFolder) await artifact.addDir(source, { name: entry });
  else artifact.addFile(source, { name: entry });
  return artifact;
}

async function modelArtifact(name: string, base: Base, model: unknown, scratch: string): Promise<Artifact> {
  const modelType = await saveModel(model, scratch);
  const wbflow: WbflowArtifactMetadata = { ...base, form: "model", modelType };
  const artifact = new Artifact(name, "model", { metadata: { wbflow } });
  await artifact.addDir(scratch);
  return artifact;
}

async function encodedArtifact(name: string, base: Base, type: ArtifactKind, value: unknown, scratch: string): Promise<Artifact> {
  const file = `${name}.bin`;
  const codec = await writeEncoded(path.join(scratch, file), value);
  const wbflow: WbflowArtifactMetadata = { ...base, form: "encoded", codec, file };
  const artifact = new Artifact(name, type, { metadata: { wbflow } });
  artifact.addFile(path.join(scratch, file));
  // The JSON view is for reading by eye: big values keep only their .bin, not a second, bigger copy.
  const json = (await stat(path.join(scratch, file))).size <= MAX_JSON_VIEW_SOURCE_BYTES ? jsonView(value) : undefined;
  if (json !== undefined) {
    await writeFile(path.join(scratch, `${name}.json`), json);
    artifact.addFile(path.join(scratch, `${name}.json`));
  }
  return artifact;
}

/** Builds the artifact for one value (throws UnserializableValueError / ModelTypeError when it cannot). */
export async function buildArtifact(source: ArtifactSource): Promise<BuiltArtifact> {
  const scratch = await mkdtemp(path.join(tmpdir(), "wbflow-wandb-log-"));
  const cleanup = () => rm(scratch, { recursive: true, force: true });
  const { classified, name } = source;
  const base: Base = { attribute: source.attribute, pathspec: source.pathspec };
  try {
    let artifact: Artifact;
    if (classified.kind === "dataset" && classified.form === "table") artifact = await tableArtifact(name, base, classified.table, scratch);
    else if (classified.kind === "dataset") artifact = await pathArtifact(name, base, classified.path);
    else if (classified.kind === "model") artifact = await modelArtifact(name, base, source.value, scratch);
    else artifact = await encodedArtifact(name, base, source.kind, source.value, scratch);
    return { artifact, cleanup };
  } catch (error) {
    await cleanup();
    throw error;
  }
}
