/** Issue 13, smaller: a Proxy stored as an artifact names the artifact and what to do (it was "#<Object> could not be cloned"). */
import { expect, test } from "vitest";
import { flowFrom, tempDatastore } from "./helpers.js";

test("a Proxy artifact fails naming the step, the attribute and what to store instead", async () => {
  const flow = flowFrom(`
export class F extends FlowSpec {
  @step start() { this.settings = new Proxy({ lr: 0.1 }, {}); this.next(this.end); }
  @step end() {}
}`);
  const run = await flow.run({}, { datastore: tempDatastore(), throwOnFailure: false });
  expect(run.successful).toBe(false);
  const message = run.error!.message;
  expect(message).toContain("could not store this.settings");
  expect(message).toContain("a Proxy cannot be stored");
  expect(message).toContain("{ ...value }");
  expect(message).not.toContain("could not be cloned");
});
