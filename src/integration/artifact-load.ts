/**
 * `artifact.load()`: the original value of an artifact `@wandb_log` logged — an arquero (or Arrow)
 * table from its Parquet file, a `FilePath` to the downloaded file or folder, the model loaded from its
 * own files, or the decoded object. Installed on `ArtifactVersion` (the W&B client knows nothing of
 * codecs or flows, so the integration adds the method, as `wbflow/wandb` is imported).
 */
import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import { createReadStream } from "node:fs";
import { arqueroTableFromIPC, arrowTableFromIPC, codecById, FilePath, loadModel } from "../codecs/index.js";
import { ArtifactVersion } from "../wandb/artifacts/artifact-version.js";
import { isSafeEntryPath } from "../wandb/artifacts/manifest-paths.js";
import type { WbflowArtifactMetadata } from "./wandb-log/value-artifact.js";

/** Raised when an artifact cannot be turned back into a value. */
export class ArtifactLoadError extends Error {
  constructor(artifact: string, problem: string) {
    super(`Cannot load artifact ${artifact}: ${problem}`);
    this.name = "ArtifactLoadError";
  }
}

declare module "../wandb/artifacts/artifact-version.js" {
  interface ArtifactVersion {
    /**
     * Downloads the version (to `dir`, default `<root_dir>/artifacts/<name>:vN`) and returns the value
     * `@wandb_log` logged: an arquero table for a table dataset (an Arrow table if an Arrow table was
     * logged), a `FilePath` for a file or folder, the model for a model, the object for anything else.
     */
    load(dir?: string): Promise<unknown>;
  }
}

function wbflowMetadataOf(version: ArtifactVersion): WbflowArtifactMetadata {
  const meta = version.metadata["wbflow"] as WbflowArtifactMetadata | undefined;
  if (!meta || typeof meta !== "object" || typeof meta.form !== "string") {
    throw new ArtifactLoadError(
      version.qualifiedName,
      "it was not logged by @wandb_log, so how its files map to a value is unknown. Use download() and read the files.",
    );
  }
  // The metadata names the file to read; like the manifest, it may not point outside the download.
  const named = meta.form === "file" || meta.form === "folder" ? meta.entry : meta.form === "table" || meta.form === "encoded" ? meta.file : undefined;
  if (named !== undefined && (typeof named !== "string" || !isSafeEntryPath(named))) {
    throw new ArtifactLoadError(version.qualifiedName, `its metadata names the file ${JSON.stringify(named)}, which is not a path inside the artifact. The metadata is damaged; log the value again.`);
  }
  return meta;
}

async function readParquetTable(file: string, library: "arquero" | "arrow"): Promise<unknown> {
  const { readParquet } = await import("parquet-wasm");
  const ipc = readParquet(await readFile(file)).intoIPCStream();
  // As the datastore's codecs read them: the user's copy of the library, int64 as bigint.
  return library === "arrow" ? arrowTableFromIPC(ipc) : arqueroTableFromIPC(ipc);
}

async function decodeFile(version: ArtifactVersion, file: string, codecId: string): Promise<unknown> {
  const codec = codecById(codecId);
  if (!codec) {
    throw new ArtifactLoadError(version.qualifiedName, `its value was written by codec '${codecId}', which is not registered here. Register it with registerCodec first.`);
  }
  const { size } = await stat(file);
  return codec.decode({ bytes: () => readFile(file), stream: () => createReadStream(file), size });
}

/** Loads the value an artifact version holds (see `ArtifactVersion.load`). */
export async function loadArtifactValue(version: ArtifactVersion, dir?: string): Promise<unknown> {
  const meta = wbflowMetadataOf(version);
  const root = await version.download(dir);
  switch (meta.form) {
    case "table":
      return readParquetTable(path.join(root, meta.file), meta.library);
    case "file":
    case "folder":
      return new FilePath(path.join(root, meta.entry));
    case "model":
      return loadModel(root);
    case "encoded":
      return decodeFile(version, path.join(root, meta.file), meta.codec);
  }
}

ArtifactVersion.prototype.load = function load(this: ArtifactVersion, dir?: string): Promise<unknown> {
  return loadArtifactValue(this, dir);
};
