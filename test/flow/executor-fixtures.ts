/** A flow with every shape (branches, foreach, join, switch, loop, retry, catch) and a run's comparable signature. */
import { isInternalArtifact } from "../../src/flow/client/client.js";

/** Flow source (needs FlowSpec, step, Parameter, retry, catchFailure, current in scope): class `Shapes`. */
export const SHAPES_FLOW = `
export class Shapes extends FlowSpec {
  scale = Parameter("scale", { default: 2 });
  @step start() { (this as any).xs = [1, 2, 3]; this.next(this.fan, this.side); }
  @step fan() { this.next(this.each, { foreach: "xs" }); }
  @step each() {
    const x = this.input as number;
    (this as any).sq = x * x * (this as any).scale;
    (this as any).kind = x % 2 === 1 ? "odd" : "even";
    this.next({ odd: this.odd, even: this.even }, { condition: "kind" });
  }
  @step odd() { (this as any).tag = "o" + (this as any).sq; this.next(this.eachDone); }
  @step even() { (this as any).tag = "e" + (this as any).sq; this.next(this.eachDone); }
  @catchFailure({ var: "oops", printException: false }) @step eachDone() {
    if ((this as any).sq === 8) throw new RangeError("eight is caught");
    this.next(this.gather);
  }
  @step gather(inputs: any) { (this as any).tags = inputs.map((i: any) => i.tag); (this as any).oopses = inputs.map((i: any) => i.oops && i.oops.message); this.next(this.both); }
  @retry({ times: 1 }) @step side() {
    if (current.retryCount === 0) throw new Error("flaky side");
    (this as any).n = 0;
    this.next(this.count);
  }
  @step count() {
    (this as any).n += 1;
    console.log("count " + (this as any).n);
    (this as any).more = (this as any).n < 3 ? "again" : "done";
    this.next({ again: this.count, done: this.sideDone }, { condition: "more" });
  }
  @step sideDone() { this.next(this.both); }
  @step both(inputs: any) { (this as any).result = { tags: inputs.gather.tags, oopses: inputs.gather.oopses, n: inputs.sideDone.n }; this.next(this.end); }
  @step end() { (this as any).step = current.stepName; }
}
`;

/** What a run did, independent of run ids and timing: each task by its place in the run, its outcome and its values. */
export async function runSignature(run: any): Promise<Record<string, unknown>> {
  const signature: Record<string, unknown> = {};
  for (const task of run.tasks) {
    const values: Record<string, unknown> = {};
    for (const [name, record] of Object.entries(task.artifacts)) {
      if (!isInternalArtifact(name)) values[name] = await run.datastore.getValue(run.flowName, record);
    }
    const stdout = await run.datastore.readLog({ flowName: run.flowName, runId: run.runId, stepName: task.stepName, taskId: task.taskId }, task.attempts - 1, "stdout");
    // Stacks name the files the code ran from, which differ between executors.
    const comparable = JSON.parse(JSON.stringify(values, (key, value) => (key === "stack" ? undefined : value)));
    signature[task.pathspecIndex] = { ok: task.ok, attempts: task.attempts, values: comparable, stdout };
  }
  return Object.fromEntries(Object.entries(signature).sort(([a], [b]) => a.localeCompare(b)));
}
