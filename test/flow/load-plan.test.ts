import { expect, test } from "vitest";
import { registerCodec } from "../../src/codecs/index.js";
import { flowModule, tempDatastore } from "./helpers.js";

/** A value type whose codec counts decodes, to see which artifacts a task really loads. */
class Heavy {
  constructor(readonly size: number) {}
}
let decodes = 0;
registerCodec({
  id: "test-heavy",
  canEncode: (value: unknown): value is Heavy => value instanceof Heavy,
  typeName: () => "Heavy",
  encode: async (value: Heavy) => ({ bytes: new TextEncoder().encode(String(value.size)) }),
  decode: async (source) => {
    decodes++;
    return new Heavy(Number(new TextDecoder().decode(await source.bytes())));
  },
});

test("a task decodes only the artifacts its step (or a helper it calls) mentions", async () => {
  const { F } = flowModule(`
    export class F extends FlowSpec {
      @step start() { (this as any).big = (globalThis as any).makeHeavy(); (this as any).small = 1; this.next(this.a); }
      @step a() { (this as any).small2 = (this as any).small + 1; this.next(this.b); }
      @step b() { (this as any).size = this.sizeOfBig(); this.next(this.end); }
      sizeOfBig() { return (this as any).big.size; }
      @step end() {}
    }`);
  (globalThis as any).makeHeavy = () => new Heavy(7);
  decodes = 0;
  const run = await F.run({}, { datastore: tempDatastore() });
  expect((await run.data("b")).size).toBe(7);
  expect(decodes).toBe(2); // step b through its helper, then run.data(); step a never decoded it
});

test("a step that reaches artifacts by computed names loads everything", async () => {
  const { F } = flowModule(`
    export class F extends FlowSpec {
      @step start() { (this as any).alpha = 1; (this as any).beta = 2; this.next(this.end); }
      @step end() { const names = ["al", "be"].map((p) => p + (p === "al" ? "pha" : "ta")); (this as any).sum = names.reduce((s, n) => s + (this as any)[n], 0); }
    }`);
  expect((await (await F.run({}, { datastore: tempDatastore() })).data()).sum).toBe(3);
});

test("an input artifact reached by a name the source never mentions fails with a clear message", async () => {
  const { F } = flowModule(`
    export class F extends FlowSpec {
      @step start() { this.next(this.a, this.b); }
      @step a() { (this as any).hidden = 1; this.next(this.j); }
      @step b() { (this as any).hidden = 2; this.next(this.j); }
      @step j(inputs: any) { const key = ["hid", "den"].join(""); (this as any).v = inputs[0][key]; this.next(this.end); }
      @step end() {}
    }`);
  const error = await F.run({}, { datastore: tempDatastore() }).catch((e: any) => e);
  expect(error.cause.message).toMatch(
    /^In the join input F\/\d+\/a\/2: artifact 'hidden' was not loaded, because its name does not appear in the step's source \(steps load only the artifacts they mention\)\. Mention it in the step, e\.g\. `const \{ hidden \} = this`, or read it with a literal name\.$/,
  );
});
