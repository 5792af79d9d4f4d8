/**
 * The scheduler: runs tasks (on the run's executor) concurrently up to `maxWorkers`, fans out splits and
 * foreaches, waits for every input of a join, follows switches and loops, retries failed tasks, and
 * (for a resume) clones the tasks the origin run already finished.
 */
import { pathspecOf, type ArtifactRecord, type TaskKey } from "../datastore/datastore.js";
import { emitFlowEvent, type FlowEvent } from "./events.js";
import { foreachValueLabel } from "../task/foreach.js";
import type { TaskOutcome } from "./run-handle.js";
import { pathspecIndexOf, taskKeyOf, type RunContext, type TaskSpec } from "./run-context.js";
import type { AttemptResult } from "../task/task-execution.js";
import type { Executor } from "../executors/executor.js";
import type { ChosenTransition } from "../task/task-state.js";
import { cloneTask, type ClonePlan } from "./resume-plan.js";
import { TaskInterruptedError } from "../errors.js";

/** How a scheduled run ended. */
export interface ScheduleResult {
  outcomes: TaskOutcome[];
  /** The task failure that stopped the run, if any. */
  failure: { spec: TaskSpec; error: Error } | undefined;
  /** Set when the run's abort signal (or an attempt stopped by an interrupt) stopped it before it finished. */
  interrupted: boolean;
  /** Tasks whose running attempt the interrupt stopped (stored as failed with a TaskInterruptedError). */
  stopped: TaskOutcome[];
}

interface JoinBarrier {
  expected: number;
  arrived: Map<number, { key: TaskKey; records: Record<string, ArtifactRecord> }>;
  template: Omit<TaskSpec, "taskId" | "parents">;
}

class Scheduler {
  private nextTaskId = 1;
  private readonly queue: TaskSpec[] = [];
  private running = 0;
  private readonly barriers = new Map<string, JoinBarrier>();
  private readonly outcomes: TaskOutcome[] = [];
  private readonly clonedTaskIds = new Set<string>();
  private failure: ScheduleResult["failure"];
  /** Aborted at the run's first failure: executors take back attempts that have not started. */
  private readonly failed = new AbortController();
  private readonly stopped: TaskOutcome[] = [];
  private finish!: () => void;

  constructor(
    private readonly run: RunContext,
    private readonly maxWorkers: number,
    private readonly executor: Executor,
    private readonly clonePlan: ClonePlan | undefined,
    private readonly signal: AbortSignal | undefined,
  ) {
    // No new task starts; tasks running in-process finish (they cannot be killed), a worker executor
    // ends its running attempts and reports them stopped.
    signal?.addEventListener("abort", () => this.pump(), { once: true });
  }

  /** The signal aborted, or an attempt came back stopped by an interrupt the signal has not told yet (a SIGINT to the process group). */
  private interrupted(): boolean {
    return this.signal?.aborted === true || this.stopped.length > 0;
  }

  execute(): Promise<ScheduleResult> {
    const done = new Promise<void>((resolve) => (this.finish = resolve));
    this.enqueue({
      stepName: this.run.graph.start!,
      parents: [this.run.parametersTask],
      foreachStack: [],
      branchStack: [],
      iterationStack: this.loops(this.run.graph.start!) ? [0] : [],
    });
    this.pump();
    return done.then(() => ({ outcomes: this.outcomes, failure: this.failure, interrupted: this.interrupted(), stopped: this.stopped }));
  }

  private loops(stepName: string): boolean {
    const node = this.run.graph.nodes.get(stepName)!;
    return node.type === "split-switch" && node.outFuncs.includes(stepName);
  }

  private enqueue(spec: Omit<TaskSpec, "taskId">): void {
    this.queue.push({ ...spec, taskId: String(this.nextTaskId++) });
  }

  private pump(): void {
    while (!this.failure && !this.interrupted() && this.queue.length > 0 && this.running < this.maxWorkers) {
      const spec = this.queue.shift()!;
      this.running++;
      this.runTask(spec)
        .catch((error: unknown) => {
          // An engine failure (e.g. the store is unwritable) stops the run like a task failure.
          this.fail(spec, error instanceof Error ? error : new Error(String(error)));
        })
        .finally(() => {
          this.running--;
          this.pump();
        });
    }
    if (this.running === 0 && (this.failure || this.interrupted() || this.queue.length === 0)) this.finish();
  }

  /** The run fails (the first failure is the run's error); no task starts after it. */
  private fail(spec: TaskSpec, error: Error): void {
    this.failure ??= { spec, error };
    this.failed.abort(pathspecOf(taskKeyOf(this.run, this.failure.spec.stepName, this.failure.spec.taskId)));
  }

  private eventBase(spec: TaskSpec, retryCount: number) {
    const key = taskKeyOf(this.run, spec.stepName, spec.taskId);
    const frame = spec.foreachStack.at(-1);
    return {
      flowName: this.run.flowName,
      runId: this.run.runId,
      stepName: spec.stepName,
      taskId: spec.taskId,
      pathspec: pathspecOf(key),
      retryCount,
      ...(frame ? { foreachIndex: frame.index, foreachNumSplits: frame.numSplits } : {}),
    };
  }

  private emit(event: FlowEvent): void {
    emitFlowEvent(event, this.run.onEvent);
  }

  private async runTask(spec: TaskSpec): Promise<void> {
    const key = taskKeyOf(this.run, spec.stepName, spec.taskId);
    const pathspecIndex = pathspecIndexOf(spec);
    const clonable =
      this.clonePlan !== undefined &&
      !this.clonePlan.rerunSteps.has(spec.stepName) &&
      spec.parents.every((p) => p === this.run.parametersTask || this.clonedTaskIds.has(p.taskId)) &&
      this.clonePlan.originTasks.has(pathspecIndex);
    const cloned = clonable ? await cloneTask(this.run, this.clonePlan!, key, spec, pathspecIndex) : undefined;
    if (cloned) {
      this.clonedTaskIds.add(spec.taskId);
      this.record(spec, { ok: true, caught: false, error: undefined, retry: undefined, ...cloned }, 1, true);
      this.emit({ type: "task-finished", ...this.eventBase(spec, 0), cloned: true, ...splitCount(cloned.transition) });
      this.followTransition(spec, cloned.transition, cloned.artifacts);
      return;
    }
    const { result, attemptsMade } = await this.executeWithRetries(spec);
    const outcome = this.record(spec, result, attemptsMade, false);
    if (!result.ok && (result.error instanceof TaskInterruptedError || (result.retry && this.interrupted()))) {
      // Stopped by the interrupt (or not retried because of it): the run ends interrupted, not failed.
      this.stopped.push(outcome);
      this.emit({ type: "task-failed", ...this.eventBase(spec, attemptsMade - 1), error: result.error!, handledByCatch: false });
      return;
    }
    if (!result.ok || result.caught) {
      this.emit({ type: "task-failed", ...this.eventBase(spec, attemptsMade - 1), error: result.error!, handledByCatch: result.caught });
    }
    if (!result.ok) {
      this.fail(spec, result.error!);
      return;
    }
    if (!result.caught) {
      this.emit({ type: "task-finished", ...this.eventBase(spec, attemptsMade - 1), cloned: false, ...splitCount(result.transition) });
    }
    this.followTransition(spec, result.transition, result.artifacts);
  }

  /** Runs attempts until one ends without the step's decorators asking for another. */
  private async executeWithRetries(spec: TaskSpec): Promise<{ result: AttemptResult; attemptsMade: number }> {
    for (let attempt = 0; ; attempt++) {
      this.emit({ type: "task-started", ...this.eventBase(spec, attempt) });
      const result = await this.executor.runAttempt({ run: this.run, spec, attempt, signal: this.signal, runFailed: this.failed.signal });
      // An interrupted run starts no new attempt (a worker executor reports its stopped attempts as failures).
      if (!result.retry || this.interrupted()) return { result, attemptsMade: attempt + 1 };
      this.emit({ type: "task-retrying", ...this.eventBase(spec, attempt), error: result.error! });
      if (result.retry.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, result.retry!.delayMs));
      if (this.interrupted()) return { result, attemptsMade: attempt + 1 }; // interrupted during the delay
    }
  }

  private record(spec: TaskSpec, result: AttemptResult, attempts: number, cloned: boolean): TaskOutcome {
    const key = taskKeyOf(this.run, spec.stepName, spec.taskId);
    const outcome: TaskOutcome = {
      stepName: spec.stepName,
      taskId: spec.taskId,
      pathspec: pathspecOf(key),
      pathspecIndex: pathspecIndexOf(spec),
      ok: result.ok,
      cloned,
      attempts,
      ...(result.error ? { error: result.error } : {}),
      artifacts: result.artifacts,
    };
    this.outcomes.push(outcome);
    return outcome;
  }

  private followTransition(spec: TaskSpec, transition: ChosenTransition | undefined, records: Record<string, ArtifactRecord>): void {
    if (!transition || spec.stepName === this.run.graph.end) return;
    const key = taskKeyOf(this.run, spec.stepName, spec.taskId);
    const node = this.run.graph.nodes.get(spec.stepName)!;
    const parentRecords = [records];
    transition.targets.forEach((target, position) => {
      if (this.run.graph.nodes.get(target)!.type === "join") return this.arriveAtJoin(spec, key, records, target);
      if (node.type === "split-foreach") {
        const elements = transition.elements ?? [];
        elements.forEach((element, index) =>
          this.enqueue({
            stepName: target,
            parents: [key],
            parentRecords,
            foreachStack: [
              ...spec.foreachStack,
              { step: target, var: transition.foreachVar!, numSplits: elements.length, index, value: foreachValueLabel(element) },
            ],
            branchStack: [...spec.branchStack, { split: node.name, branch: target, index }],
            iterationStack: this.loops(target) ? [0] : [],
          }),
        );
        return;
      }
      const branchStack =
        node.type === "split-static" ? [...spec.branchStack, { split: node.name, branch: target, index: position }] : spec.branchStack;
      const looping = target === spec.stepName;
      this.enqueue({
        stepName: target,
        parents: [key],
        parentRecords,
        foreachStack: spec.foreachStack,
        branchStack,
        iterationStack: looping ? [(spec.iterationStack[0] ?? 0) + 1] : this.loops(target) ? [0] : [],
      });
    });
  }

  private arriveAtJoin(spec: TaskSpec, key: TaskKey, records: Record<string, ArtifactRecord>, join: string): void {
    const top = spec.branchStack.at(-1)!;
    const split = this.run.graph.nodes.get(top.split)!;
    const isForeach = split.type === "split-foreach";
    const foreachStack = isForeach ? spec.foreachStack.slice(0, -1) : spec.foreachStack;
    const branchStack = spec.branchStack.slice(0, -1);
    const barrierKey = `${join}|${JSON.stringify(branchStack)}|${foreachStack.map((f) => f.index).join(",")}`;
    let barrier = this.barriers.get(barrierKey);
    if (!barrier) {
      barrier = {
        expected: isForeach ? spec.foreachStack.at(-1)!.numSplits : split.outFuncs.length,
        arrived: new Map(),
        template: { stepName: join, foreachStack, branchStack, iterationStack: [] },
      };
      this.barriers.set(barrierKey, barrier);
    }
    barrier.arrived.set(top.index, { key, records });
    if (barrier.arrived.size === barrier.expected) {
      this.barriers.delete(barrierKey);
      const arrivals = [...barrier.arrived].sort(([a], [b]) => a - b).map(([, arrival]) => arrival);
      this.enqueue({ ...barrier.template, parents: arrivals.map((a) => a.key), parentRecords: arrivals.map((a) => a.records) });
    }
  }
}

function splitCount(transition: ChosenTransition | undefined): { foreachSplits?: number } {
  return transition?.elements ? { foreachSplits: transition.elements.length } : {};
}

/** Runs (or, for a resume, partly clones) every task of a run on `executor`; `signal` stops it early. */
export function scheduleRun(
  run: RunContext,
  { maxWorkers, executor }: { maxWorkers: number; executor: Executor },
  clonePlan: ClonePlan | undefined,
  signal: AbortSignal | undefined,
): Promise<ScheduleResult> {
  return new Scheduler(run, maxWorkers, executor, clonePlan, signal).execute();
}
