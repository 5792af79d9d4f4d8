import { stat } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import type { Codec, EncodedSource } from "../codec.js";
import { planArchive, streamArchive } from "./deterministic-archive.js";
import { FilePath } from "./file-path.js";
import { materializeArchive } from "./materialized-files.js";

/** A `FilePath`, or a `file:` URL, naming a file or folder whose content should be stored. */
export type FileReference = FilePath | URL;

function pathOf(reference: FileReference): string {
  return reference instanceof FilePath ? reference.path : fileURLToPath(reference);
}

/**
 * Files and folders, persisted by content as a deterministic tar streamed from disk (never held in
 * memory). Decoding unpacks a copy (see `materializeRoot`) and returns a `FilePath` to it.
 */
/** The file codec: reading back always gives a `FilePath`. */
export interface FileCodec extends Codec<FileReference> {
  decode(encoded: EncodedSource): Promise<FilePath>;
}

export const fileCodec: FileCodec = {
  id: "file",
  canEncode(value: unknown): value is FileReference {
    return value instanceof FilePath || (value instanceof URL && value.protocol === "file:");
  },
  typeName(reference) {
    return reference instanceof FilePath ? "FilePath" : "file: URL";
  },
  async encode(reference) {
    const path = pathOf(reference);
    await stat(path).catch((error: NodeJS.ErrnoException) => {
      throw new Error(`Cannot store ${path}: ${error.code === "ENOENT" ? "no such file or folder" : error.message}. Check the path given to FilePath.`);
    });
    const plan = await planArchive(path);
    return { stream: () => streamArchive(plan) };
  },
  async decode(encoded) {
    return new FilePath(await materializeArchive(encoded.stream(), encoded.sha));
  },
};
