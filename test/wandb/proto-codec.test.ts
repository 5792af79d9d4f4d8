import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeRecord, encodeRecord, type HistoryRecord, type WandbRecord } from "../../src/wandb/protocol/records.js";
import { ProtoReader, ProtoWriter } from "../../src/wandb/protocol/wire.js";

describe("protobuf codec", () => {
  it("round-trips every safe integer varint, including boundaries and negatives", () => {
    const boundaries = [0, 1, 127, 128, 16383, 16384, 2 ** 21 - 1, 2 ** 21, 2 ** 28 - 1, 2 ** 28, 2 ** 31 - 1, 2 ** 31, 2 ** 35, Number.MAX_SAFE_INTEGER, -1, -(2 ** 31), Number.MIN_SAFE_INTEGER];
    fc.assert(
      fc.property(fc.oneof(fc.constantFrom(...boundaries), fc.maxSafeInteger(), fc.integer()), (value) => {
        const writer = new ProtoWriter();
        writer.varint(value);
        const bytes = writer.finish();
        const reader = new ProtoReader(bytes);
        expect(reader.varint()).toBe(value);
        expect(reader.done).toBe(true);
        expect(bytes.length).toBe(value < 0 ? 10 : Math.max(1, Math.ceil(Math.log2(value + 1) / 7)));
      }),
      { numRuns: 2000 },
    );
  });

  it("round-trips history records with any keys and long values (multi-byte lengths written in place)", () => {
    const item = fc.record({ key: fc.string({ minLength: 1, unit: "binary" }), valueJson: fc.string({ maxLength: 40_000 }) });
    fc.assert(
      fc.property(fc.array(item, { maxLength: 6 }), fc.nat(), fc.string({ unit: "grapheme" }), (items, step, uuid) => {
        const record: WandbRecord = { num: step + 1, uuid, type: "history", history: { item: items, step: { num: step } } };
        const decoded = decodeRecord(encodeRecord(record));
        // proto3 leaves fields at their default value off the wire, so they decode as absent.
        const history: HistoryRecord = {
          ...(items.length > 0 ? { item: items.map((i) => (i.valueJson === "" ? { key: i.key } : i)) } : {}),
          step: step === 0 ? {} : { num: step },
        };
        const expected = { num: step + 1, ...(uuid === "" ? {} : { uuid }), type: "history", history };
        expect(decoded).toEqual(expected);
      }),
      { numRuns: 200 },
    );
  });
});
