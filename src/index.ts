/**
 * `wbflow`: Metaflow-style flows for TypeScript notebooks.
 * Each layer adds its public exports below (one `export ... from` line per module).
 */
export { Datastore, pathspecOf, TaskNotFinishedError, DatastoreNotFoundError, DatastoreCorruptError, DatastoreError, InvalidStoreNameError, UnknownCodecError } from "./flow/datastore/datastore.js";
export type { ArtifactRecord, DatastoreOptions, RunInfo, StoredTask, StoredValue, TaskKey, TaskResult } from "./flow/datastore/datastore.js";
export { Metaflow, Flow, Run, Step, Task, DataArtifact, ClientNotFoundError, InvalidPathspecError } from "./flow/client/client.js";
export type { ClientOptions, StoredException } from "./flow/client/client.js";
export { registerCodec, codecFor, codecById, FilePath, UnserializableValueError } from "./codecs/index.js";
export type { Codec, EncodedSource, EncodedValue, FileReference } from "./codecs/index.js";
export { display, liveDisplay, type DisplayHandle, type DisplayCallOptions } from "./kernel/cells/display.js";
export { mimeBundleOf, jupyterDisplaySymbol, type MimeBundle, type MimeRenderable } from "./display/mime-bundle.js";
export { prompt, type PromptOptions } from "./kernel/jupyter/prompt.js";
export { FlowSpec, type StepMethod } from "./flow/define/spec.js";
export { step, type StepOptions } from "./flow/define/step.js";
export { Parameter, type ParameterOptions, type ParameterContext, type ParameterTypeName, type ParameterValueOf } from "./flow/define/parameter.js";
export { defineStepDecorator, type StepDecorator, type StepDecoratorDefinition, type AppliedDecorator, type DecoratorOptions } from "./flow/define/step-decorator.js";
export type { UniversalDecorator } from "./flow/define/decorator-target.js";
export { retry } from "./flow/decorators/retry.js";
export { catchFailure } from "./flow/decorators/catch.js";
export { timeout } from "./flow/decorators/timeout.js";
export { environment } from "./flow/decorators/environment.js";
export { current, type Current } from "./flow/task/current.js";
export { onFlowEvent, type FlowEvent, type FlowEventListener } from "./flow/runtime/events.js";
export type { TaskContext, TaskMiddleware, ArtifactActivity, ArtifactRead, ArtifactReadSource } from "./flow/task/middleware.js";
export type { StepLifecycleHooks, RetryDecision, FailureHandling, TimeLimit, TaskEndContext } from "./flow/task/lifecycle.js";
export { FlowRun, type TaskOutcome, type FlowRunFacts } from "./flow/runtime/run-handle.js";
export type { RunOptions, ResumeOptions } from "./flow/runtime/run-options.js";
export type { GraphInfo, StepInfo, GraphStructure } from "./flow/graph/graph-info.js";
export type { ForeachFrame, ForeachStackEntry } from "./flow/task/foreach.js";
export type { JoinInputs, InputView } from "./flow/task/join-inputs.js";
export type { MergeOptions } from "./flow/task/merge-artifacts.js";
export { FlowDefinitionError, LintError, InvalidNextError, ParameterError, ReadOnlyAttributeError, MergeConflictError, MergeMissingError, NotInTaskError, StepTimeoutError, ForeachError, FlowRunError, ResumeError, ArtifactStoreError } from "./flow/errors.js";
export { registerModelType, saveModel, loadModel, isModel, modelTypeFor, ModelTypeError, MODEL_MANIFEST, type ModelType, type ModelClass, type SavableModel } from "./codecs/index.js";
export { tableToParquet, writeParquetFile, isExportableTable, type ExportableTable, type ParquetColumn, type ParquetData, type ParquetFile } from "./codecs/index.js";
export { namespace, getNamespace, NamespaceMismatchError, InvalidTagError } from "./flow/client/client.js";
export type { GarbageReport } from "./flow/datastore/datastore.js";
