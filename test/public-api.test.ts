/**
 * The public entry points, pinned: a new public name goes here on purpose.
 *
 * `wbflow`, `wbflow/wandb` and `wbflow/kernel` export what a user calls; everything else is
 * internal and imported by path. This test lists every exported name (run-time values and
 * type-only names apart) so that growth is a decision someone makes, not an accident of an
 * `export *`, and checks that every public name carries TSDoc.
 */
import ts from "typescript";
import { describe, expect, it } from "vitest";
import * as wbflow from "../src/index.js";
import * as wbflowKernel from "../src/kernel.js";
import * as wbflowWandb from "../src/wandb.js";

interface PublicNames {
  /** Names that exist at run time (classes, functions, constants). */
  values: string[];
  /** Names that exist only for the type checker (interfaces, type aliases). */
  types: string[];
}

const pinned: Record<string, PublicNames> = {
  "src/index.ts": {
    values: [
      "ClientNotFoundError", "DataArtifact", "Datastore", "DatastoreError", "FilePath", "Flow", "FlowDefinitionError",
      "FlowRun", "FlowRunError", "FlowSpec", "InvalidPathspecError", "LintError", "MergeConflictError", "Metaflow",
      "ModelTypeError", "NamespaceMismatchError", "Parameter", "ParameterError", "ResumeError", "Run", "Step",
      "StepTimeoutError", "Task", "UnserializableValueError", "catchFailure", "closeWorkerPool", "current", "defineStepDecorator",
      "environment", "getNamespace", "loadModel", "namespace", "onFlowEvent", "registerCodec", "registerModelType", "resources",
      "retry", "saveModel", "step", "tableToParquet", "timeout", "writeParquetFile",
    ],
    types: [
      "AttemptEnd", "ClientOptions", "ClonedFrom", "Codec", "Current", "DatastoreOptions", "DecoratorOptions", "EncodedSource", "EncodedValue",
      "FailureHandling", "FlowEvent", "FlowEventListener", "InputView", "JoinInputs", "MergeOptions", "ModelType",
      "ParameterOptions", "ParameterTypeName", "ResumeOptions", "RetryDecision", "RunOptions", "StepDecorator",
      "StepDecoratorDefinition", "StepLifecycleHooks", "StepMethod", "StepOptions", "TaskContext", "TaskEndContext",
      "TaskMiddleware", "TaskOutcome", "TimeLimit",
    ],
  },
  "src/wandb.ts": {
    values: [
      "Api", "Artifact", "ArtifactFrozenError", "ArtifactIntegrityError", "ArtifactLoadError", "ArtifactNotFoundError",
      "ArtifactNotLoggedError", "ArtifactUnavailableError", "ArtifactValidationError", "ArtifactVersion", "InvalidApiKeyError", "InvalidSettingError",
      "NoActiveRunError", "Run", "RunFinishedError", "RunNotFoundError", "WandbApiError", "WandbAuthError",
      "WandbDisabledError", "WandbNotFoundError", "WandbUnreachableError", "WandbUploadError", "activeRun", "init",
      "loadArtifactValue", "parseArtifactPath", "run", "syncRuns", "wandbRunsOf", "wandb_log",
    ],
    types: [
      "ApiOptions", "ApiRun", "ArtifactFileInfo", "ArtifactOptions", "ArtifactPath", "FlowRunRunsQuery", "InitOptions",
      "LogArtifactOptions", "LogOptions", "LoggedArtifactVersion", "RemoteArtifactVersion", "RunConfig", "RunFilters", "RunSummary", "SettingsInput",
      "SyncOptions", "SyncedRun", "UseArtifactOptions", "WandbLogOptions", "WandbLogSettings", "WandbMode",
    ],
  },
  "src/kernel.ts": {
    values: ["StdinUnavailableError", "display", "jupyterDisplaySymbol", "liveDisplay", "mimeBundleOf", "prompt"],
    types: ["DisplayCallOptions", "DisplayHandle", "MimeBundle", "MimeRenderable", "PromptOptions"],
  },
};

const loaded: Record<string, object> = { "src/index.ts": wbflow, "src/wandb.ts": wbflowWandb, "src/kernel.ts": wbflowKernel };
const sorted = (names: Iterable<string>): string[] => [...names].sort();

/** Every exported symbol of each entry point, as the type checker sees it. */
function exportedSymbols(): Map<string, { name: string; documented: boolean }[]> {
  const entries = Object.keys(pinned);
  const program = ts.createProgram(entries, {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    strict: true,
    skipLibCheck: true,
    noEmit: true,
  });
  const checker = program.getTypeChecker();
  const result = new Map<string, { name: string; documented: boolean }[]>();
  for (const entry of entries) {
    const moduleSymbol = checker.getSymbolAtLocation(program.getSourceFile(entry)!)!;
    result.set(
      entry,
      checker.getExportsOfModule(moduleSymbol).map((symbol) => {
        const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
        const documented = ts.displayPartsToString(target.getDocumentationComment(checker)).trim() !== "";
        return { name: symbol.name, documented };
      }),
    );
  }
  return result;
}

describe("public entry points", () => {
  for (const [entry, names] of Object.entries(pinned)) {
    it(`${entry} exports exactly the pinned run-time names`, () => {
      expect(sorted(Object.keys(loaded[entry]!))).toEqual(sorted(names.values));
    });
  }

  it("export exactly the pinned type names, each with TSDoc", () => {
    for (const [entry, symbols] of exportedSymbols()) {
      // Type-only: what the checker sees and the loaded module does not have (`export type { SomeClass }` included).
      const types = symbols.map((s) => s.name).filter((name) => !(name in loaded[entry]!));
      expect({ entry, types: sorted(types) }).toEqual({ entry, types: sorted(pinned[entry]!.types) });
      expect({ entry, undocumented: symbols.filter((s) => !s.documented).map((s) => s.name) }).toEqual({ entry, undocumented: [] });
    }
  });

  it("keep to tens of names each", () => {
    for (const names of Object.values(pinned)) expect(names.values.length + names.types.length).toBeLessThan(100);
  });
});
