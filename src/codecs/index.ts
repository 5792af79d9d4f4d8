/**
 * Codecs: how values become bytes and back. Importing this module registers the built-ins:
 * v8 plain data (priority 0); arquero and Arrow tables, files/folders and registered models
 * (priority 50); model types for ml-random-forest.
 * User codecs default to priority 100, so they win.
 */
import { arqueroCodec } from "./tables/arquero-codec.js";
import { arrowCodec } from "./tables/arrow-codec.js";
import { fileCodec } from "./files/file-codec.js";
import { modelCodec } from "./models/model-codec.js";
import { registerModelType } from "./models/models.js";
import { randomForestClassifierType, randomForestRegressionType } from "./models/models-ml-random-forest.js";
import { registerCodec } from "./registry.js";
import { v8Codec } from "./v8-codec.js";

export const BUILTIN_PLAIN_PRIORITY = 0;
export const BUILTIN_TYPED_PRIORITY = 50;

registerCodec(v8Codec, { priority: BUILTIN_PLAIN_PRIORITY });
registerCodec(arqueroCodec, { priority: BUILTIN_TYPED_PRIORITY });
registerCodec(arrowCodec, { priority: BUILTIN_TYPED_PRIORITY });
registerCodec(fileCodec, { priority: BUILTIN_TYPED_PRIORITY });
registerCodec(modelCodec, { priority: BUILTIN_TYPED_PRIORITY });
registerModelType(randomForestClassifierType);
registerModelType(randomForestRegressionType);

export type { Codec, EncodedSource, EncodedValue } from "./codec.js";
export { codecById, codecFor, registerCodec } from "./registry.js";
export { FilePath } from "./files/file-path.js";
export { arqueroTableFromIPC, isArqueroTable } from "./tables/arquero-module.js";
export { arrowTableFromIPC } from "./tables/arrow-module.js";
export type { FileReference } from "./files/file-codec.js";
export { UnserializableValueError } from "./unserializable-value-error.js";
export { describeType } from "./describe-type.js";
export { materializeRoot } from "./files/materialized-files.js";
export { encodeValue, type EncodedWithCodec } from "./encode-value.js";
export {
  isModel,
  loadModel,
  MODEL_MANIFEST,
  modelTypeFor,
  ModelTypeError,
  registerModelType,
  saveModel,
  type ModelClass,
  type ModelType,
  type SavableModel,
} from "./models/models.js";
export {
  isExportableTable,
  tableToParquet,
  writeParquetFile,
  type ExportableTable,
  type ParquetColumn,
  type ParquetData,
  type ParquetFile,
} from "./tables/parquet-export.js";
