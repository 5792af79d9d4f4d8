/**
 * The smallest useful flow: a parameter, three steps, artifacts passed from step to step.
 *
 *   npm run example                         # after npm install
 *   node bin/wbflow.js run examples/hello.ts --greeting Hi --times 3
 */
import { FlowSpec, Parameter, current, step } from "wbflow";

export class HelloFlow extends FlowSpec {
  greeting = Parameter("greeting", { default: "Hello", help: "how to greet" });
  times = Parameter("times", { default: 2, help: "how many greetings" });

  message!: string;
  lines!: string[];

  @step start() {
    this.message = `${this.greeting} from ${current.flowName} run ${current.runId}`;
    this.next(this.repeat);
  }

  @step repeat() {
    this.lines = Array.from({ length: this.times }, (_, i) => `${i + 1}. ${this.message}`);
    this.next(this.end);
  }

  @step end() {
    for (const line of this.lines) console.log(line);
  }
}
