/**
 * `@resources({ cpu, memory })` (Metaflow's name): what a task needs from the `processes` executor's
 * pool — `cpu` slots of it, and a worker whose heap is bounded to `memory` MiB (a task going over fails
 * with an out-of-memory error). In-process it changes nothing.
 */
import { defineStepDecorator } from "../define/step-decorator.js";

/** Reserves pool slots and bounds the heap of the step's worker. */
export const resources = defineStepDecorator({
  name: "resources",
  defaults: { cpu: 1, memory: 0 },
  validate({ cpu, memory }) {
    if (!Number.isInteger(cpu) || cpu < 1) return `cpu must be a whole number >= 1; got ${String(cpu)}.`;
    if (!Number.isInteger(memory) || memory < 0) return `memory must be a whole number of MiB (0: no bound); got ${String(memory)}.`;
    if (memory > 0 && memory < 32) return `memory is in MiB and a worker needs at least 32; got ${memory}.`;
    return undefined;
  },
  resources({ decoratorOptions: { cpu, memory } }) {
    return { cpu, ...(memory > 0 ? { memoryMiB: memory } : {}) };
  },
});
