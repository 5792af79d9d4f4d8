/**
 * Codecs: how values become bytes and back. Importing this module registers the built-ins:
 * v8 plain data (priority 0); arquero and Arrow tables, files/folders and registered models
 * (priority 50); model types for ml-random-forest.
 * User codecs default to priority 100, so they win.
 */
import { arqueroCodec } from "./arquero-codec.js";
import { arrowCodec } from "./arrow-codec.js";
import { fileCodec } from "./file-codec.js";
import { modelCodec } from "./model-codec.js";
import { registerModelType } from "./models.js";
import { randomForestClassifierType, randomForestRegressionType } from "./models-ml-random-forest.js";
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
export { FilePath } from "./file-path.js";
export { arqueroTableFromIPC, isArqueroTable } from "./arquero-module.js";
export { arrowTableFromIPC } from "./arrow-module.js";
export type { FileReference } from "./file-codec.js";
export { UnserializableValueError } from "./unserializable-value-error.js";
export { describeType } from "./describe-type.js";
export { materializeRoot } from "./materialized-files.js";
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
} from "./models.js";
export {
  isExportableTable,
  tableToParquet,
  writeParquetFile,
  type ExportableTable,
  type ParquetColumn,
  type ParquetData,
  type ParquetFile,
} from "./parquet-export.js";
