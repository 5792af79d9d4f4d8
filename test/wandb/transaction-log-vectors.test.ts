import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseTransactionLog } from "../../src/wandb/offline/transaction-log-reader.js";
import { BLOCK_SIZE, CHUNK_HEADER_SIZE, FILE_HEADER, frameRecord } from "../../src/wandb/offline/log-format.js";
import { encodeRecord, type KeyedJsonItem, type WandbRecord } from "../../src/wandb/protocol/records.js";

const vectorsDir = "/work/shared/vectors";
const vectors = readdirSync(vectorsDir).filter((f) => f.endsWith(".wandb"));

/** Shortens long values exactly as the vectors' expected.json files do. */
function shorten(value: string): string {
  return value.length > 40 ? `${value.slice(0, 40)}...(${value.length} chars)` : value;
}

function items(list: KeyedJsonItem[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of list ?? []) out[item.key ?? (item.nestedKey ?? []).join(".")] = shorten(item.valueJson ?? "");
  return out;
}

/** The record summary format of the vectors' *.expected.json. */
function describeRecord(record: WandbRecord): Record<string, unknown> {
  const base = { num: record.num, type: record.type };
  switch (record.type) {
    case "run": {
      const r = record.run;
      const out: Record<string, unknown> = { ...base, run_id: r.runId, entity: r.entity, project: r.project };
      if (r.runGroup) out["run_group"] = r.runGroup;
      if (r.jobType) out["job_type"] = r.jobType;
      if (r.displayName) out["display_name"] = r.displayName;
      if (r.tags?.length) out["tags"] = r.tags;
      out["config"] = items(r.config?.update);
      return out;
    }
    case "history":
      return { ...base, items: items(record.history.item) };
    case "summary":
      return { ...base, items: items(record.summary.update) };
    case "exit":
      return { ...base, exit_code: record.exit.exitCode ?? 0 };
    default:
      return base;
  }
}

describe("transaction log vectors read by W&B's own reader", () => {
  it.each(vectors)("%s reads exactly as its expected.json says", (file) => {
    const bytes = readFileSync(path.join(vectorsDir, file));
    const expected = JSON.parse(readFileSync(path.join(vectorsDir, file.replace(/\.wandb$/, ".expected.json")), "utf8"));
    const log = parseTransactionLog(bytes, file);
    expect({ file, records: log.records.map(describeRecord), torn_tail: log.tornTail }).toEqual(
      JSON.parse(JSON.stringify(expected)),
    );
  });

  function rewrite(bytes: Uint8Array): Buffer {
    const { records } = parseTransactionLog(bytes);
    const pieces: Uint8Array[] = [FILE_HEADER];
    let offset = FILE_HEADER.length;
    for (const record of records) {
      const framed = frameRecord(encodeRecord(record), offset);
      pieces.push(framed);
      offset += framed.length;
    }
    return Buffer.concat(pieces);
  }

  /** (offset, length, type) of every chunk: the framing structure of a log. */
  function chunkLayout(bytes: Uint8Array): string[] {
    const layout: string[] = [];
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    let position = FILE_HEADER.length;
    while (position < bytes.length) {
      const left = BLOCK_SIZE - (position % BLOCK_SIZE);
      if (left < CHUNK_HEADER_SIZE) {
        layout.push(`${position}:pad${left}`);
        position += left;
        continue;
      }
      const length = view.getUint16(position + 4, true);
      layout.push(`${position}:${length}:${bytes[position + 6]}`);
      position += CHUNK_HEADER_SIZE + length;
    }
    return layout;
  }

  // These two were encoded with fields in field-number order, as W&B's encoders do.
  it.each(["run-abc12345.wandb", "run-pad00001.wandb"])("%s is rewritten byte for byte from its records", (file) => {
    const bytes = readFileSync(path.join(vectorsDir, file));
    expect(rewrite(bytes).equals(bytes)).toBe(true);
  });

  // run-big00001's RunRecord has group/job type before config on the wire (valid protobuf, not
  // number order), so only the structure can match: same chunks at the same offsets, same records.
  it("run-big00001.wandb is rewritten with the same chunk structure and records", () => {
    const bytes = readFileSync(path.join(vectorsDir, "run-big00001.wandb"));
    const rewritten = rewrite(bytes);
    expect(chunkLayout(rewritten)).toEqual(chunkLayout(bytes));
    expect(chunkLayout(bytes).some((c) => c.endsWith(":3"))).toBe(true); // has MIDDLE chunks
    expect(parseTransactionLog(rewritten).records).toEqual(parseTransactionLog(bytes).records);
  });
});
