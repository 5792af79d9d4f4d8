import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { init } from "../../src/wandb/run/init.js";
import { FILE_HEADER, frameRecord } from "../../src/wandb/offline/log-format.js";
import { encodeRecord, type WandbRecord } from "../../src/wandb/protocol/records.js";
import { TransactionLogCorruptError, parseTransactionLog, readTransactionLog } from "../../src/wandb/offline/transaction-log-reader.js";
import { ManualClock, offlineDeps, tempDir } from "./helpers/fixtures.js";

function buildLog(records: WandbRecord[]): { bytes: Buffer; lastStart: number } {
  const pieces: Uint8Array[] = [FILE_HEADER];
  let offset = FILE_HEADER.length;
  let lastStart = offset;
  for (const record of records) {
    lastStart = offset;
    const framed = frameRecord(encodeRecord(record), offset);
    pieces.push(framed);
    offset += framed.length;
  }
  return { bytes: Buffer.concat(pieces), lastStart };
}

function expectPrefix(bytes: Buffer, cut: number, complete: WandbRecord[], lastStart: number): void {
  const log = parseTransactionLog(bytes.subarray(0, cut));
  if (cut === bytes.length) {
    expect(log.records).toEqual(complete);
    expect(log.tornTail).toBe(false);
  } else {
    expect(log.records).toEqual(complete.slice(0, -1));
    expect(log.tornTail).toBe(cut > lastStart);
  }
}

describe("transaction log robustness", () => {
  it("a real run's log cut at every byte of its last record reads as the prefix", async () => {
    const root = tempDir();
    const run = await init({ project: "p", config: { a: 1 } }, offlineDeps(root, new ManualClock(1_700_000_000_000)));
    run.log({ loss: 1 });
    await run.finish();
    const bytes = readFileSync(path.join(run.dir, "run-abc12345.wandb"));
    const full = parseTransactionLog(bytes).records;
    const { lastStart } = buildLog(full);
    expect(buildLog(full).bytes.equals(bytes)).toBe(true);
    for (let cut = lastStart; cut <= bytes.length; cut++) expectPrefix(bytes, cut, full, lastStart);
  });

  it("a last record spread over FIRST/MIDDLE/LAST chunks cut anywhere reads as the prefix", () => {
    const records: WandbRecord[] = [
      { num: 1, type: "header", header: { versionInfo: { producer: "t", minConsumer: "0.70.0" } } },
      { num: 2, type: "run", run: { runId: "big", project: "p" } },
      { num: 3, type: "history", history: { item: [{ key: "blob", valueJson: JSON.stringify("x".repeat(80_000)) }] } },
    ];
    const { bytes, lastStart } = buildLog(records);
    const cuts = new Set<number>();
    for (let cut = lastStart; cut <= bytes.length; cut += 61) cuts.add(cut);
    for (const block of [32768, 65536, 98304]) for (let d = -9; d <= 9; d++) cuts.add(block + d);
    cuts.add(bytes.length);
    for (const cut of [...cuts].filter((c) => c >= lastStart && c <= bytes.length)) expectPrefix(bytes, cut, records, lastStart);
  });

  it("the file reader streams block by block across 1 MiB reads and agrees with the in-memory parser", async () => {
    const records: WandbRecord[] = [{ num: 1, type: "header", header: {} }];
    for (let i = 2; i < 60; i++) {
      records.push({ num: i, type: "history", history: { item: [{ key: "blob", valueJson: JSON.stringify(String(i).repeat(20_000 + i * 997)) }] } });
    }
    const { bytes } = buildLog(records);
    expect(bytes.length).toBeGreaterThan(3 * 1024 * 1024);
    const dir = tempDir();
    const whole = path.join(dir, "whole.wandb");
    writeFileSync(whole, bytes);
    expect(await readTransactionLog(whole)).toEqual({ records, tornTail: false });
    for (const cut of [1024 * 1024, 1024 * 1024 + 5, 2 * 1024 * 1024 - 3, bytes.length - 1]) {
      const file = path.join(dir, `cut-${cut}.wandb`);
      writeFileSync(file, bytes.subarray(0, cut));
      expect(await readTransactionLog(file)).toEqual(parseTransactionLog(bytes.subarray(0, cut)));
    }
  });

  it("a tail of zeros (allocated but never written before a crash) reads as the prefix", () => {
    const records: WandbRecord[] = [{ num: 1, type: "run", run: { runId: "z" } }];
    const { bytes } = buildLog(records);
    const log = parseTransactionLog(Buffer.concat([bytes, Buffer.alloc(4096)]));
    expect(log).toEqual({ records, tornTail: true });
  });

  it("damage before the tail is an error naming the offset, not silent garbage", () => {
    const { bytes } = buildLog([
      { num: 1, type: "run", run: { runId: "a" } },
      { num: 2, type: "exit", exit: { exitCode: 0 } },
    ]);
    const damaged = Buffer.from(bytes);
    damaged[FILE_HEADER.length + 8] ^= 0xff; // inside the first record's payload
    expect(() => parseTransactionLog(damaged, "x.wandb")).toThrow(TransactionLogCorruptError);
    expect(() => parseTransactionLog(damaged, "x.wandb")).toThrow(/x\.wandb: chunk checksum mismatch at byte 7/);
    expect(() => parseTransactionLog(Buffer.from("not a log at all"), "y")).toThrow(/bad file header/);
  });
});
