import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { codecFor, encodeValue, UnserializableValueError } from "../../src/codecs/index.js";
import { v8Codec } from "../../src/codecs/v8-codec.js";
import { roundTrip } from "./codec-helpers.js";

describe("v8 codec", () => {
  it("round-trips Map, Set, Date, typed arrays, bigint, RegExp, undefined and nested objects", async () => {
    const value = {
      map: new Map<unknown, unknown>([["a", 1], [2, { deep: [1, 2, new Set(["x"])] }]]),
      set: new Set([1, "two", 3n]),
      date: new Date("2024-05-06T07:08:09.010Z"),
      floats: new Float64Array([0.5, -1, Number.NaN]),
      bytes: new Uint8Array([1, 2, 255]),
      big: 12345678901234567890n,
      pattern: /ab+c/gi,
      missing: undefined,
      negativeZero: -0,
      nested: { list: [[1], [2, [3]]], empty: {} },
    };
    const back = (await roundTrip(v8Codec, value)) as typeof value;
    expect(back).toEqual(value);
    expect(back.map).toBeInstanceOf(Map);
    expect(back.floats).toBeInstanceOf(Float64Array);
    expect(Object.is(back.negativeZero, -0)).toBe(true);
    expect("missing" in back).toBe(true);
  });

  it("keeps cycles and shared references", async () => {
    const shared = { n: 1 };
    const cyclic: Record<string, unknown> = { a: shared, b: shared };
    cyclic.self = cyclic;
    const back = (await roundTrip(v8Codec, cyclic)) as typeof cyclic;
    expect(back.self).toBe(back);
    expect(back.a).toBe(back.b);
  });

  it("round-trips arbitrary JSON-like and structured values (property)", async () => {
    await fc.assert(
      fc.asyncProperty(fc.anything({ withBigInt: true, withDate: true, withMap: true, withSet: true, withTypedArray: true, withNullPrototype: false, withBoxedValues: false, withSparseArray: true }), async (value) => {
        expect(await roundTrip(v8Codec, value)).toEqual(value);
      }),
      { numRuns: 200 },
    );
  });

  it("refuses a class instance, naming the class and the path inside the value", async () => {
    class LinearModel { weights = [1, 2]; predict(x: number) { return x; } }
    const value = { config: { lr: 0.1 }, models: [new LinearModel()] };
    expect(v8Codec.canEncode(value)).toBe(false);
    expect(codecFor(value)).toBeUndefined();
    const error = await encodeValue(value).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnserializableValueError);
    expect((error as Error).message).toContain("class LinearModel");
    expect((error as Error).message).toContain("value.models[0]");
    expect((error as Error).message).toContain("registerCodec");
  });

  it("refuses functions and symbols with a clear message", async () => {
    await expect(encodeValue({ callback: () => 1 })).rejects.toThrow(/function callback .*value\.callback.*functions and classes cannot be stored/);
    await expect(encodeValue(Symbol("s"))).rejects.toThrow(/type symbol: symbols cannot be stored/);
    await expect(encodeValue(new Map([["k", Promise.resolve(1)]]))).rejects.toThrow(/Promise .*value\.get\("k"\)/);
    await expect(v8Codec.encode({ f: () => 1 })).rejects.toBeInstanceOf(UnserializableValueError);
  });
});
