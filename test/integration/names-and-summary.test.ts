/** Artifact-name sanitising and summary conversion, as documented in their modules. */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { artifactNameFor } from "../../src/integration/wandb-log/artifact-name.js";
import { toSummaryValue } from "../../src/integration/wandb-log/summary-value.js";
import { validateArtifactName } from "../../src/wandb/artifacts/artifact-validation.js";

describe("artifactNameFor", () => {
  test.each([
    ["raw_df", "raw_df"],
    ["model.v2", "model.v2"],
    ["données", "donnees"],
    ["Ångström", "Angstrom"],
  ])("%s → %s", (attribute, name) => {
    expect(artifactNameFor(attribute)).toBe(name);
  });

  test("characters W&B refuses become _ plus a hash of the attribute, so names never collide", () => {
    expect(artifactNameFor("test score")).toBe("test_score-57aa343b");
    expect(artifactNameFor("$cache")).toMatch(/^_cache-[0-9a-f]{8}$/);
    expect(artifactNameFor("数据")).not.toBe(artifactNameFor("模型"));
    expect(artifactNameFor("a".repeat(200))).toHaveLength(128);
  });

  test("every attribute name maps to a valid, stable name; distinct hashed names stay distinct", () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 300, unit: "binary" }), fc.string({ minLength: 1, maxLength: 40, unit: "binary" }), (a, b) => {
        const name = artifactNameFor(a);
        expect(validateArtifactName(name)).toBe(name);
        expect(artifactNameFor(a)).toBe(name);
        const hashed = (n: string) => /-[0-9a-f]{8}$/.test(n);
        if (a !== b && hashed(name) && hashed(artifactNameFor(b)) && !hashed(a) && !hashed(b)) expect(artifactNameFor(b)).not.toBe(name);
      }),
    );
  });
});

describe("toSummaryValue", () => {
  test.each([
    ["number", 1.5, 1.5],
    ["string", "x", "x"],
    ["boolean", false, false],
    ["null", null, null],
    ["undefined at the top", undefined, null],
    ["safe bigint", 42n, 42],
    ["unsafe bigint", 2n ** 64n, "18446744073709551616"],
    ["Date", new Date(0), "1970-01-01T00:00:00.000Z"],
    ["invalid Date", new Date(Number.NaN), null],
    ["Set, insertion order", new Set([3, 1, 2]), [3, 1, 2]],
    ["Map with simple keys", new Map<unknown, number>([["a", 1], [2, 2], [true, 3]]), { a: 1, "2": 2, true: 3 }],
    ["Map with object keys", new Map([[[1], "x"]]), [[[1], "x"]]],
    ["nested, undefined members left out", { a: [new Set(["s"])], b: undefined }, { a: [["s"]] }],
    ["null-prototype object", Object.assign(Object.create(null), { k: 1 }), { k: 1 }],
  ])("%s", (_label, value, expected) => {
    expect(toSummaryValue(value, "x")).toEqual({ basic: true, value: expected });
  });

  test.each([
    ["class instance", new (class Point {})(), "x", "class Point"],
    ["typed array", new Float32Array(2), "x", "Float32Array"],
    ["function inside an object", { f: () => 1 }, "x.f", "function f"],
    ["Map value", new Map([["k", Symbol("s")]]), 'x.get("k")', "symbol"],
  ])("not basic: %s (says where)", (_label, value, path, typeName) => {
    expect(toSummaryValue(value, "x")).toEqual({ basic: false, path, typeName });
  });

  test("a reference cycle is not basic; shared references are fine", () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(toSummaryValue(cyclic, "x")).toMatchObject({ basic: false, path: "x.self" });
    const shared = [1];
    expect(toSummaryValue({ a: shared, b: shared }, "x")).toEqual({ basic: true, value: { a: [1], b: [1] } });
  });
});
