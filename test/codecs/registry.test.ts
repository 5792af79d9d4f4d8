import { describe, expect, it } from "vitest";
import { codecById, codecFor, registerCodec, type Codec } from "../../src/codecs/index.js";
import { roundTrip } from "./codec-helpers.js";

class Point {
  constructor(readonly x: number, readonly y: number) {}
}

function pointCodec(id: string): Codec<Point> {
  return {
    id,
    canEncode: (value): value is Point => value instanceof Point,
    typeName: () => "Point",
    encode: async (point) => ({ bytes: new TextEncoder().encode(`${point.x},${point.y}`) }),
    decode: async (source) => {
      const [x, y] = new TextDecoder().decode(await source.bytes()).split(",").map(Number);
      return new Point(x!, y!);
    },
  };
}

describe("codec registry", () => {
  it("picks the built-in codec for each kind of value", () => {
    expect(codecFor({ a: 1 })?.id).toBe("v8");
    expect(codecFor(new Point(1, 2))).toBeUndefined();
  });

  it("lets a user codec handle a class and round-trip it as the same class", async () => {
    registerCodec(pointCodec("test-point"));
    const codec = codecFor(new Point(3, 4))!;
    expect(codec.id).toBe("test-point");
    const back = await roundTrip(codec, new Point(3, 4));
    expect(back).toBeInstanceOf(Point);
    expect(back).toEqual(new Point(3, 4));
    expect(codecById("test-point")).toBe(codec);
  });

  it("gives user codecs priority over built-ins, and honours explicit priorities", () => {
    const plainNumbers: Codec<number> = {
      id: "test-number",
      canEncode: (value): value is number => typeof value === "number",
      typeName: () => "number",
      encode: async (n) => ({ bytes: new TextEncoder().encode(String(n)) }),
      decode: async (source) => Number(new TextDecoder().decode(await source.bytes())),
    };
    registerCodec(plainNumbers, { priority: -1 });
    expect(codecFor(5)?.id).toBe("v8");
    registerCodec(plainNumbers);
    expect(codecFor(5)?.id).toBe("test-number");
    registerCodec({ ...plainNumbers, canEncode: (_value): _value is number => false });
    expect(codecFor(5)?.id).toBe("v8"); // same id replaced, not added
  });

  it("rejects a codec without an id or a method", () => {
    expect(() => registerCodec({ ...pointCodec("x"), id: "" })).toThrow(/non-empty string `id`/);
    expect(() => registerCodec({ ...pointCodec("y"), decode: undefined } as unknown as Codec)).toThrow(/codec "y" has no decode\(\)/);
  });
});
