/**
 * The notebook tests' worker flow: a `%%writefile` cell writing a 3-way foreach module whose tasks
 * record their process id and print a line, so a test can tell they ran in workers and that their
 * output reached the cell.
 */
export const FANOUT_FLOW_CELL = `%%writefile fanout_flow.ts
import { FlowSpec, step } from "wbflow";
export class FanOut extends FlowSpec {
  @step start() { (this as any).xs = [1, 2, 3]; this.next(this.square, { foreach: "xs" }); }
  @step square() {
    (this as any).y = (this.input as number) ** 2;
    (this as any).pid = process.pid;
    console.log("squared " + this.input + " on a worker");
    this.next(this.join);
  }
  @step join(inputs: any) {
    (this as any).ys = inputs.map((i: any) => i.y);
    (this as any).pids = inputs.map((i: any) => i.pid);
    this.next(this.end);
  }
  @step end() {}
}`;
