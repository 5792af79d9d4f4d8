/**
 * `wbflow`: Metaflow-style flows for TypeScript.
 *
 * This is a deliberate list of what a user calls: define a flow, run it, read past runs, teach the
 * datastore new value types. Everything else is internal and imported by path (tests, the kernel,
 * the CLI). A new name here is a new promise: add it to `test/public-api.test.ts` on purpose.
 * Notebook helpers (`display`, `prompt`) live in `wbflow/kernel`; W&B in `wbflow/wandb`.
 */

// Define a flow: the base class, steps, parameters.
export { FlowSpec, type StepMethod } from "./flow/define/spec.js";
export { step, type StepOptions } from "./flow/define/step.js";
export { Parameter, type ParameterOptions, type ParameterTypeName } from "./flow/define/parameter.js";
export type { JoinInputs, InputView } from "./flow/task/join-inputs.js";
export type { MergeOptions } from "./flow/task/merge-artifacts.js";
export { current, type Current } from "./flow/task/current.js";

// Step decorators: the built-in ones and the way to write your own.
export { retry } from "./flow/decorators/retry.js";
export { catchFailure } from "./flow/decorators/catch.js";
export { timeout } from "./flow/decorators/timeout.js";
export { environment } from "./flow/decorators/environment.js";
export { resources } from "./flow/decorators/resources.js";
export { defineStepDecorator, type StepDecorator, type StepDecoratorDefinition, type DecoratorOptions } from "./flow/define/step-decorator.js";
export type { TaskContext, TaskMiddleware } from "./flow/task/middleware.js";
export type { StepLifecycleHooks, RetryDecision, FailureHandling, TimeLimit, TaskEndContext, AttemptEnd, ClonedFrom } from "./flow/task/lifecycle.js";

// Run a flow and follow it.
export { FlowRun, type TaskOutcome } from "./flow/runtime/run-handle.js";
export type { RunOptions, ResumeOptions } from "./flow/runtime/run-options.js";
export { onFlowEvent, type FlowEvent, type FlowEventListener } from "./flow/runtime/events.js";
export { closeWorkerPool } from "./flow/executors/processes/shared-pool.js";

// Read past runs (the client API) and where they are stored.
export { Metaflow, Flow, Run, Step, Task, DataArtifact, namespace, getNamespace, type ClientOptions } from "./flow/client/client.js";
export { Datastore, type DatastoreOptions } from "./flow/datastore/datastore.js";

// Values: custom codecs, files, models, tables to Parquet.
export { registerCodec, FilePath, type Codec, type EncodedValue, type EncodedSource } from "./codecs/index.js";
export { registerModelType, saveModel, loadModel, type ModelType } from "./codecs/index.js";
export { writeParquetFile, tableToParquet } from "./codecs/index.js";

// Errors a user may want to tell apart.
export {
  FlowDefinitionError,
  LintError,
  ParameterError,
  MergeConflictError,
  StepTimeoutError,
  FlowRunError,
  ResumeError,
} from "./flow/errors.js";
export { ClientNotFoundError, InvalidPathspecError, NamespaceMismatchError } from "./flow/client/client.js";
export { DatastoreError } from "./flow/datastore/datastore.js";
export { UnserializableValueError, ModelTypeError } from "./codecs/index.js";
