import { randomUUID } from "node:crypto";
import { mkdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import type { Codec } from "../codec.js";
import { planArchive, streamArchive } from "../files/deterministic-archive.js";
import { materializeArchive } from "../files/materialized-files.js";
import { loadModel, modelTypeFor, saveModel } from "./models.js";

/**
 * Models of registered types (see `registerModelType`): stored as a deterministic tar of the folder
 * the model saves itself into, so equal models deduplicate and the files are the model's own.
 */
export const modelCodec: Codec<object> = {
  id: "model",
  canEncode(value: unknown): value is object {
    return modelTypeFor(value) !== undefined;
  },
  typeName(model) {
    return `model ${modelTypeFor(model)?.name ?? "(unregistered)"}`;
  },
  async encode(model) {
    const workDir = join(tmpdir(), `wbflow-model-${randomUUID()}`);
    const modelDir = join(workDir, "model");
    await mkdir(modelDir, { recursive: true });
    try {
      await saveModel(model, modelDir);
      const plan = await planArchive(modelDir);
      return {
        // The working folder is removed when the archive has been read (or abandoned), before
        // the stream ends, so a reader that saw the end sees no leftover folder.
        stream: () =>
          Readable.from(
            (async function* () {
              try {
                yield* streamArchive(plan);
              } finally {
                await rm(workDir, { recursive: true, force: true });
              }
            })(),
          ),
      };
    } catch (error) {
      await rm(workDir, { recursive: true, force: true });
      throw error;
    }
  },
  async decode(encoded) {
    return (await loadModel(await materializeArchive(encoded.stream(), encoded.sha))) as object;
  },
};
