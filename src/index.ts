/**
 * `wbflow`: Metaflow-style flows for TypeScript notebooks.
 * Each layer adds its public exports below (one `export ... from` line per module).
 */
export { Datastore, pathspecOf, TaskNotFinishedError, DatastoreNotFoundError, DatastoreCorruptError, DatastoreError, InvalidStoreNameError, UnknownCodecError } from "./flow/datastore.js";
export type { ArtifactRecord, DatastoreOptions, RunInfo, StoredTask, StoredValue, TaskKey, TaskResult } from "./flow/datastore.js";
export { Metaflow, Flow, Run, Step, Task, DataArtifact, ClientNotFoundError, InvalidPathspecError } from "./flow/client.js";
export type { ClientOptions, StoredException } from "./flow/client.js";
export { registerCodec, codecFor, codecById, FilePath, UnserializableValueError } from "./codecs/index.js";
export type { Codec, EncodedSource, EncodedValue, FileReference } from "./codecs/index.js";
export { display, liveDisplay, type DisplayHandle, type DisplayCallOptions } from "./kernel/display.js";
export { mimeBundleOf, jupyterDisplaySymbol, type MimeBundle, type MimeRenderable } from "./display/mime-bundle.js";
export { prompt, type PromptOptions } from "./kernel/prompt.js";
