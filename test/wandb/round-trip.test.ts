import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { Api } from "../../src/wandb/api.js";
import { Artifact } from "../../src/wandb/artifacts/artifact.js";
import { init } from "../../src/wandb/run/init.js";
import type { RunBackend } from "../../src/wandb/run/run-backend.js";
import { decodeRecord, encodeRecord, type WandbRecord } from "../../src/wandb/protocol/records.js";
import type { RecordSink } from "../../src/wandb/protocol/record-sink.js";
import { readTransactionLog } from "../../src/wandb/offline/transaction-log-reader.js";
import { ManualClock, offlineDeps, tempDir } from "./helpers/fixtures.js";

const KEY = "k".repeat(40);

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath, entry.name));
}

describe("round trip", () => {
  it("online mode feeds the backend's sink the same records the offline log holds, in order", async () => {
    const root = tempDir();
    const clock = new ManualClock(1_700_000_000_000);
    const received: WandbRecord[] = [];
    let closed = false;
    let context: unknown;
    const backend: RunBackend = {
      openSink: async (settings, ctx) => {
        context = { mode: settings.mode, ...ctx };
        const sink: RecordSink = {
          write: async (record) => {
            received.push(structuredClone(record));
          },
          close: async () => {
            closed = true;
          },
        };
        return sink;
      },
    };
    const deps = { ...offlineDeps(root, clock, "round001"), env: { ...offlineDeps(root, clock).env, WANDB_API_KEY: KEY }, backend };
    let c = 0;
    const run = await init(
      { project: "proj", entity: "ent", group: "Flow/7", job_type: "train", name: "n", notes: "notes", tags: ["t"], config: { lr: 0.1, nested: { a: [1, 2] } } },
      { ...deps, newClientId: () => `cid${c++}` },
    );
    expect(run.mode).toBe("online");
    expect(path.basename(run.dir)).toMatch(/^run-\d{8}_\d{6}-round001$/);
    expect(context).toMatchObject({ mode: "online", runId: "round001", runDir: run.dir, filesDir: run.filesDir });

    run.config.update({ batch: 32 });
    for (let i = 0; i < 3; i++) {
      clock.advance(1000);
      run.log({ loss: 1 / (i + 1), "ratio": i === 0 ? -Infinity : i });
    }
    run.summary.update({ final: "done" });
    run.writeConsole("epoch 1\r epoch 2\n");
    const file = path.join(root, "data.csv");
    writeFileSync(file, "x,y\n1,2\n");
    const artifact = new Artifact("table", "dataset", { metadata: { columns: ["x", "y"] } });
    artifact.addFile(file);
    const logged = await run.logArtifact(artifact);
    await run.useArtifact(logged.qualifiedName);
    await run.finish();

    expect(closed).toBe(true);
    const { records, tornTail } = await readTransactionLog(path.join(run.dir, "run-round001.wandb"));
    expect(tornTail).toBe(false);
    // Same records, up to proto3 defaults (e.g. exitCode 0 is not on the wire).
    expect(records).toEqual(received.map((r) => decodeRecord(encodeRecord(r))));
    expect(records.map((r) => r.type)).toEqual([
      "header", "run", "files", "config",
      "history", "summary", "history", "summary", "history", "summary",
      "summary", "outputRaw", "artifact", "artifact", "exit",
    ]);

    // The API key is nowhere in what the run wrote.
    expect(listFiles(root).length).toBeGreaterThan(8);
    for (const file of listFiles(root)) expect(readFileSync(file).includes(KEY), file).toBe(false);

    // The read API rebuilds config, summary and history from the log.
    const api = new Api({ env: { NETRC: path.join(root, "netrc") }, home: root, cwd: root, settings: { mode: "offline" } });
    const read = await api.run("ent/proj/round001");
    expect(read).toMatchObject({ id: "round001", project: "proj", entity: "ent", group: "Flow/7", jobType: "train", name: "n", notes: "notes", tags: ["t"], state: "finished", exitCode: 0 });
    expect(read.config).toEqual({ lr: 0.1, nested: { a: [1, 2] }, batch: 32 });
    expect(read.history.map((row) => [row["_step"], row["loss"], row["ratio"]])).toEqual([[0, 1, -Infinity], [1, 0.5, 1], [2, 1 / 3, 2]]);
    expect(read.summary).toMatchObject({ loss: 1 / 3, ratio: 2, final: "done", _step: 2, _wandb: { runtime: 3 } });
    expect(await api.runs("proj", { group: "Flow/7", jobType: "train" })).toHaveLength(1);
    expect(await api.runs("proj", { jobType: "eval" })).toHaveLength(0);
    await expect(api.run("proj/nope0000")).rejects.toThrow(/not found/);
  });

  it("a failing online sink makes finish() reject, after the offline log is complete", async () => {
    const root = tempDir();
    const backend: RunBackend = {
      openSink: async () => ({
        write: async (record) => {
          if (record.type === "history") throw new Error("server said no");
        },
        close: async () => undefined,
      }),
    };
    const clock = new ManualClock(0);
    const deps = { ...offlineDeps(root, clock, "failing1"), env: { WANDB_API_KEY: KEY, NETRC: path.join(root, "n") }, backend };
    const run = await init({ project: "p" }, deps);
    run.log({ a: 1 });
    await expect(run.finish()).rejects.toThrow(/offline log is complete.*wbflow sync/);
    const { records } = await readTransactionLog(path.join(run.dir, "run-failing1.wandb"));
    expect(records.at(-1)?.type).toBe("exit");
  });

  it("a backend that cannot open its sink fails init clearly and leaves no open log", async () => {
    const root = tempDir();
    const clock = new ManualClock(0);
    const backend: RunBackend = { openSink: () => Promise.reject(new Error("no server configured")) };
    const deps = { ...offlineDeps(root, clock, "nobackend"), env: { WANDB_API_KEY: KEY, NETRC: path.join(root, "n") }, backend };
    await expect(init({ project: "p", mode: "online" }, deps)).rejects.toThrow(/no server configured/);
  });

  it("matches the checked-in golden log byte for byte for a fixed clock and ids", async () => {
    const root = tempDir();
    const clock = new ManualClock(1_700_000_000_000);
    const run = await init({ project: "my-project", entity: "my-entity", name: "ts-demo", tags: ["demo"], config: { lr: 0.001 } }, offlineDeps(root, clock));
    clock.advance(1500);
    run.log({ loss: 0.5 });
    run.writeConsole("hi\n");
    clock.advance(500);
    await run.finish();
    const ours = readFileSync(path.join(run.dir, "run-abc12345.wandb"));
    const golden = readFileSync(new URL("./golden/fixed-run.wandb", import.meta.url));
    expect(ours.toString("hex")).toBe(golden.toString("hex"));
  });
});
