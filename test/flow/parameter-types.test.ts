/** Parameter values are typed from the default or the declared type (checked by `npm run typecheck`). */
import { expectTypeOf, test } from "vitest";
import { FlowSpec, Parameter } from "../../src/index.js";

test("Parameter(...) has the type of its value", () => {
  class Typed extends FlowSpec {
    alpha = Parameter("alpha", { default: 0.5 });
    flag = Parameter("flag", { default: false });
    fromFunction = Parameter("fromFunction", { default: () => 5 });
    user = Parameter("user", { default: (ctx) => ctx.userName });
    config = Parameter("config", { type: "json", default: { depth: 2 } });
    optional = Parameter("optional", { type: "number" });
    required = Parameter("required", { type: "string", required: true });
    list = Parameter("list", { default: "a,b", separator: "," });
    plain = Parameter("plain");
  }
  const flow = new Typed();
  expectTypeOf(flow.alpha).toEqualTypeOf<number>();
  expectTypeOf(flow.flag).toEqualTypeOf<boolean>();
  expectTypeOf(flow.fromFunction).toEqualTypeOf<number>();
  expectTypeOf(flow.user).toEqualTypeOf<string>();
  expectTypeOf(flow.config).toEqualTypeOf<{ depth: number }>();
  expectTypeOf(flow.optional).toEqualTypeOf<number | undefined>();
  expectTypeOf(flow.required).toEqualTypeOf<string>();
  expectTypeOf(flow.list).toEqualTypeOf<string[]>();
  expectTypeOf(flow.plain).toEqualTypeOf<string | undefined>();
});
