/**
 * The one place that reaches into tslab's compiled internals (tslab 1.0.22, pinned exactly).
 *
 * tslab publishes only `display`/`versions`; its executor, converter, Jupyter handler and ZeroMQ
 * server are deep modules. Everything the kernel needs from them is re-exported here with the
 * types we rely on, so `test/kernel/tslab-contract.test.ts` can check each of them and fail loudly
 * when an upgrade changes a name, a signature or a behaviour.
 */
import { createRequire } from "node:module";
import type * as TslabConverter from "tslab/dist/converter.js";
import type * as TslabExecutor from "tslab/dist/executor.js";
import type * as TslabInspect from "tslab/dist/inspect.js";
import type * as TslabJupyter from "tslab/dist/jupyter.js";
import type * as TslabUtil from "tslab/dist/util.js";

// CommonJS `require` so that mutable module state (`lastWriteDisplayData`) can be assigned.
const requireFromHere = createRequire(import.meta.url);

/** tslab's TypeScript → CommonJS converter (language service, type checking, completion). */
export const tslabConverter = requireFromHere("tslab/dist/converter.js") as typeof TslabConverter;
/** tslab's executor: runs converted cells in this process, keeps locals, supports interrupt. */
export const tslabExecutor = requireFromHere("tslab/dist/executor.js") as typeof TslabExecutor;
/** Formats TypeScript quick info for `inspect_request` replies. */
export const tslabInspect = requireFromHere("tslab/dist/inspect.js") as typeof TslabInspect;
/** tslab's ZeroMQ server (wire protocol, heartbeat, shell/control routing) and display hook. */
export const tslabJupyter = requireFromHere("tslab/dist/jupyter.js") as typeof TslabJupyter;
/** tslab's sequential task queue (one cell at a time; pending cells abort after an error). */
export const tslabUtil = requireFromHere("tslab/dist/util.js") as typeof TslabUtil;
/** The TypeScript build tslab compiles with (its `sys` is shared by all converters). */
export const tslabTypeScript = requireFromHere("@tslab/typescript-for-tslab") as typeof import("@tslab/typescript-for-tslab");

export type Executor = TslabExecutor.Executor;
export type Converter = TslabConverter.Converter;
export type ConverterSet = TslabExecutor.ConverterSet;
export type ConsoleInterface = TslabExecutor.ConsoleInterface;

/** The version of tslab the kernel was written against; the contract test checks it. */
export const TSLAB_VERSION = "1.0.22";
