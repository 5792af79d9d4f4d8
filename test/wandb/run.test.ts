import { readFileSync, readdirSync, readlinkSync, existsSync } from "node:fs";
import path from "node:path";
import { parse as parseYaml } from "yaml";
import { describe, expect, it } from "vitest";
import { init } from "../../src/wandb/run/init.js";
import { readTransactionLog, parseTransactionLog } from "../../src/wandb/offline/transaction-log-reader.js";
import { UnrepresentableValueError } from "../../src/wandb/protocol/extended-json.js";
import { RunFinishedError } from "../../src/wandb/run/run.js";
import { ManualClock, offlineDeps, tempDir } from "./helpers/fixtures.js";

const START = 1_700_000_000_000;

describe("Run (offline)", () => {
  it("writes the header and run record byte for byte as the W&B-readable vector run-abc12345", async () => {
    const root = tempDir();
    const clock = new ManualClock(START);
    const run = await init(
      { project: "my-project", entity: "my-entity", name: "ts-demo", tags: ["demo"], config: { lr: 0.001 } },
      offlineDeps(root, clock),
    );
    await run.finish();
    const vector = readFileSync("/work/shared/vectors/run-abc12345.wandb");
    const ours = readFileSync(path.join(run.dir, "run-abc12345.wandb"));
    const headerAndRun = 7 + (7 + 35) + (7 + 78);
    expect(ours.subarray(0, headerAndRun).equals(vector.subarray(0, headerAndRun))).toBe(true);
  });

  it("records config, history with _step/_runtime/_timestamp, summary, console and exit, in order", async () => {
    const root = tempDir();
    const clock = new ManualClock(START);
    const printed: string[] = [];
    const run = await init({ project: "p", group: "Flow/1", job_type: "train", config: { lr: 0.1 } }, offlineDeps(root, clock, "run00001", printed));
    expect(path.basename(run.dir)).toMatch(/^offline-run-\d{8}_\d{6}-run00001$/);
    run.config.update({ model: { layers: 3 } });
    run.config.set(["model", "width"], 64);
    clock.advance(1500);
    run.log({ loss: 0.5, bad: Number.NaN });
    run.log({ acc: 0.1 }, { step: 5 });
    run.log({ loss: 0.25 }, { step: 5 });
    clock.advance(500);
    run.log({ loss: Infinity }); // commits step 5 with acc, loss then this row at 5... (merge)
    run.summary.set(["best", "loss"], 0.25);
    run.writeConsole("hello\n");
    run.writeConsole("oops\n", "stderr");
    await run.finish(3);

    const { records, tornTail } = await readTransactionLog(path.join(run.dir, "run-run00001.wandb"));
    expect(tornTail).toBe(false);
    expect(records.map((r) => r.num)).toEqual(records.map((_, i) => i + 1));
    expect(records.map((r) => r.type)).toEqual([
      "header", "run", "files", "config", "config",
      "history", "summary", "history", "summary",
      "summary", "outputRaw", "outputRaw", "exit",
    ]);
    const history = records.filter((r) => r.type === "history").map((r) => (r.type === "history" ? r.history : undefined));
    expect(history[0]?.item).toEqual([
      { key: "loss", valueJson: "0.5" },
      { key: "bad", valueJson: "NaN" },
      { key: "_step", valueJson: "0" },
      { key: "_runtime", valueJson: "1.5" },
      { key: "_timestamp", valueJson: "1700000001.5" },
    ]);
    expect(history[1]?.item).toEqual([
      { key: "acc", valueJson: "0.1" },
      { key: "loss", valueJson: "Infinity" },
      { key: "_step", valueJson: "5" },
      { key: "_runtime", valueJson: "2" },
      { key: "_timestamp", valueJson: "1700000002" },
    ]);
    const exit = records.at(-1)!;
    expect(exit.type === "exit" && exit.exit).toEqual({ exitCode: 3, runtime: 2 });
    expect(exit.control).toEqual({ alwaysSend: true });
    const runRecord = records[1]!;
    expect(runRecord.type === "run" && runRecord.run).toMatchObject({ runId: "run00001", project: "p", runGroup: "Flow/1", jobType: "train" });

    expect(parseYaml(readFileSync(path.join(run.filesDir, "config.yaml"), "utf8"))).toEqual({
      wandb_version: 1,
      lr: { value: 0.1 },
      model: { value: { layers: 3, width: 64 } },
    });
    const summaryText = readFileSync(path.join(run.filesDir, "wandb-summary.json"), "utf8");
    expect(summaryText).toContain('"loss":Infinity');
    expect(summaryText).toContain('"bad":NaN');
    expect(summaryText).toContain('"best":{"loss":0.25}');
    expect(readFileSync(path.join(run.filesDir, "output.log"), "utf8")).toBe("hello\noops\n");
    expect(existsSync(path.join(run.filesDir, "wandb-metadata.json"))).toBe(true);
    expect(() => run.log({ x: 1 })).toThrow(RunFinishedError);
  });

  it("ignores a step that goes back, with a warning, and keeps several runs apart", async () => {
    const root = tempDir();
    const clock = new ManualClock(START);
    const printed: string[] = [];
    let n = 0;
    const deps = { ...offlineDeps(root, clock, "x", printed), newRunId: () => `par0000${n++}` };
    const [a, b] = await Promise.all([init({ project: "p" }, deps), init({ project: "p" }, deps)]);
    a.log({ v: 1 });
    a.log({ v: 2 });
    b.log({ v: 10 });
    a.log({ v: 0 }, { step: 0 });
    expect(printed.some((l) => l.includes("step 0 is lower than the current step 2"))).toBe(true);
    expect(a.currentStep).toBe(2);
    expect(b.currentStep).toBe(1);
    await Promise.all([a.finish(), b.finish()]);
    expect(readdirSync(path.join(root, "wandb")).filter((n) => n.startsWith("offline-run-")).length).toBe(2);
    expect([a.dir, b.dir]).toContain(path.join(root, "wandb", readlinkSync(path.join(root, "wandb", "latest-run"))));
  });

  it("treats a '__proto__' key as data, never as the prototype", async () => {
    const root = tempDir();
    const run = await init({ project: "p" }, offlineDeps(root, new ManualClock(START)));
    run.config.update(JSON.parse('{"__proto__": {"polluted": true}}') as Record<string, unknown>);
    run.config.set(["__proto__", "deep"], 1);
    run.summary.set(["x", "__proto__"], 2);
    expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
    expect(Object.getPrototypeOf(run.config.toJSON())).toBe(Object.prototype);
    expect(run.config.get("__proto__")).toEqual({ polluted: true, deep: 1 });
    await run.finish();
  });

  it("rejects unrepresentable values naming the key, and changes nothing", async () => {
    const root = tempDir();
    const run = await init({ project: "p" }, offlineDeps(root, new ManualClock(START)));
    const cyclic: Record<string, unknown> = {};
    cyclic["self"] = cyclic;
    expect(() => run.config.update({ ok: 1, fn: () => 1 })).toThrow(/config\.fn: the value is a function/);
    expect(run.config.get("ok")).toBeUndefined();
    expect(() => run.log({ nested: { s: Symbol("x") } })).toThrow(/history\.nested\.s: the value is a symbol/);
    expect(() => run.summary.set("c", cyclic)).toThrow(UnrepresentableValueError);
    expect(() => run.summary.set("c", cyclic)).toThrow(/summary\.c\.self: .*cycle/);
    await run.finish();
    const { records } = parseTransactionLog(readFileSync(path.join(run.dir, "run-abc12345.wandb")));
    expect(records.map((r) => r.type)).toEqual(["header", "run", "files", "exit"]);
  });
});
