import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startProtocolServer, TEST_USER, type ProtocolServer } from "../support/protocol-server/protocol-server.js";
import type { Fault } from "../support/protocol-server/fault-plan.js";
import { WandbHttpClient } from "../../src/wandb/online/http/http-client.js";
import { upsertBucket } from "../../src/wandb/online/run/run-operations.js";
import { FileStream, HISTORY_FILE, OUTPUT_STREAM_FILE, SUMMARY_STREAM_FILE, type IntervalScheduler } from "../../src/wandb/online/run/file-stream.js";
import { ConsoleLines } from "../../src/wandb/online/run/console-lines.js";
import { recordingTiming } from "./recording-timing.js";

let server: ProtocolServer;
let http: WandbHttpClient;
const target = { entity: TEST_USER.entity, project: "p", runId: "fs000001" };

beforeEach(async () => {
  server = await startProtocolServer();
  http = new WandbHttpClient({ baseUrl: server.url, apiKey: TEST_USER.apiKey, timing: recordingTiming() });
  await upsertBucket(http, { runId: target.runId, project: "p" });
});
afterEach(async () => {
  await server.close();
});

const run = () => server.state.findRun(target.entity, "p", target.runId)!;
const rows = (n: number, from = 0) => Array.from({ length: n }, (_, i) => JSON.stringify({ _step: from + i, loss: 1 / (from + i + 1) }));

/** A scheduler the test ticks by hand. */
function manualScheduler() {
  let tick: (() => void) | undefined;
  const scheduler: IntervalScheduler = (_ms, fn) => {
    tick = fn;
    return () => (tick = undefined);
  };
  return { scheduler, tick: () => tick?.(), get active() { return tick !== undefined; } };
}

describe("file_stream", () => {
  it("sends history, the summary line and completion with the exit code", async () => {
    const stream = new FileStream(http, target);
    stream.append(HISTORY_FILE, rows(3));
    stream.setLine(SUMMARY_STREAM_FILE, 0, '{"loss":0.5}');
    stream.setLine(SUMMARY_STREAM_FILE, 0, '{"loss":0.25}');
    await stream.finish(3);
    expect(run().streamed.get(HISTORY_FILE)).toEqual(rows(3));
    expect(run().streamed.get(SUMMARY_STREAM_FILE)).toEqual(['{"loss":0.25}']);
    expect(run()).toMatchObject({ state: "failed", exitcode: 3 });
    const last = server.requests.filter((r) => r.fileStreamBody).at(-1)!.fileStreamBody!;
    expect(last).toEqual({ complete: true, exitcode: 3 });
  });

  it("renders a line set for later once per request, with its value at sending (the summary after every row)", async () => {
    const stream = new FileStream(http, target);
    let renders = 0;
    let summary = 0;
    for (let i = 0; i < 1000; i++) {
      stream.append(HISTORY_FILE, rows(1, i));
      summary = i;
      stream.setLineLater(SUMMARY_STREAM_FILE, 0, () => {
        renders += 1;
        return JSON.stringify({ loss: summary });
      });
    }
    await stream.flush();
    expect(renders).toBe(1);
    expect(run().streamed.get(SUMMARY_STREAM_FILE)).toEqual(['{"loss":999}']);
    stream.setLineLater(SUMMARY_STREAM_FILE, 0, () => {
      renders += 1;
      return '{"loss":-1}';
    });
    await stream.finish(0);
    expect(renders).toBe(2);
    expect(run().streamed.get(SUMMARY_STREAM_FILE)).toEqual(['{"loss":-1}']);
    expect(run().streamed.get(HISTORY_FILE)).toEqual(rows(1000));
  });

  it("splits big batches below the request size limit, in order, without gaps", async () => {
    const stream = new FileStream(http, target, { maxRequestBytes: 2_000 });
    stream.append(HISTORY_FILE, rows(500));
    await stream.finish(0);
    expect(stream.requestCount).toBeGreaterThan(10);
    expect(run().streamed.get(HISTORY_FILE)).toEqual(rows(500));
    for (const request of server.requests.filter((r) => r.fileStreamBody?.files)) {
      expect(JSON.stringify(request.fileStreamBody).length).toBeLessThan(2_100);
    }
  });

  it("sends as soon as a request's worth is pending, so awaiting appends bounds the buffer", async () => {
    const stream = new FileStream(http, target, { maxRequestBytes: 2_000 });
    const all = rows(400);
    let awaited = 0;
    for (const row of all) {
      const sending = stream.append(HISTORY_FILE, [row]);
      if (sending) {
        awaited += 1;
        await sending;
        // what the server has + one request's worth is everything appended so far
        expect(run().streamed.get(HISTORY_FILE)!.length).toBeGreaterThan(0);
      }
    }
    expect(awaited).toBeGreaterThanOrEqual(5);
    expect(run().state).toBe("running"); // all that before finish
    await stream.finish(0);
    expect(run().streamed.get(HISTORY_FILE)).toEqual(all);
  });

  it("sends pending lines on each tick and a heartbeat when idle, and stops at finish", async () => {
    let now = 0;
    const timer = manualScheduler();
    const stream = new FileStream(http, target, { scheduler: timer.scheduler, intervalMs: 15_000, heartbeatMs: 30_000 }, () => now);
    stream.start();
    stream.append(HISTORY_FILE, rows(2));
    timer.tick();
    await stream.flush(); // waits for the tick's request, then sends an empty one
    expect(run().streamed.get(HISTORY_FILE)).toEqual(rows(2));
    const heartbeatsBefore = run().heartbeats;
    now += 10_000;
    timer.tick(); // nothing pending, not idle long enough: no request
    await new Promise((resolve) => setImmediate(resolve));
    expect(run().heartbeats).toBe(heartbeatsBefore);
    now += 30_000;
    timer.tick();
    await stream.flush();
    expect(run().heartbeats).toBeGreaterThan(heartbeatsBefore);
    await stream.finish(0);
    expect(timer.active).toBe(false);
  });

  it("continues a resumed run after the lines the server has", async () => {
    const first = new FileStream(http, target);
    first.append(HISTORY_FILE, rows(3));
    await first.flush();
    const resumed = await upsertBucket(http, { runId: target.runId, project: "p" });
    expect(resumed.historyLineCount).toBe(3);
    const second = new FileStream(http, target);
    second.startAt(HISTORY_FILE, resumed.historyLineCount);
    second.append(HISTORY_FILE, rows(2, 3));
    await second.finish(0);
    expect(run().streamed.get(HISTORY_FILE)).toEqual(rows(5));
  });

  const faults: Array<[string, Fault]> = [
    ["a lost response", { kind: "lost-response" }],
    ["a connection reset", { kind: "reset" }],
    ["a 500", { kind: "status", status: 500 }],
    ["a 429 with Retry-After", { kind: "rate-limit", retryAfterSeconds: 5 }],
  ];
  for (const [label, fault] of faults) {
    it(`has no duplicate or missing rows after ${label}`, async () => {
      const stream = new FileStream(http, target, { maxRequestBytes: 1_000 });
      stream.append(HISTORY_FILE, rows(60));
      server.faults.inject({ route: "file_stream" }, fault, 3);
      await stream.finish(0);
      expect(server.faults.pending).toBe(0);
      expect(run().streamed.get(HISTORY_FILE)).toEqual(rows(60));
      expect(run().state).toBe("finished");
    });
  }
});

describe("console lines", () => {
  it("re-sends a line rewritten by carriage returns at the same offset", async () => {
    const lines = new ConsoleLines();
    const ts = Date.UTC(2023, 10, 14, 22, 13, 21, 500);
    expect(lines.write("epoch 1\nprog", false, ts)).toEqual([
      { offset: 0, text: "2023-11-14T22:13:21.500000 epoch 1" },
      { offset: 1, text: "2023-11-14T22:13:21.500000 prog" },
    ]);
    expect(lines.write("ress 10%\rprogress 99%\rdone", true, ts)).toEqual([{ offset: 1, text: "2023-11-14T22:13:21.500000 doneress 99%" }]);
    expect(lines.write("\n", true, ts)).toEqual([{ offset: 1, text: "2023-11-14T22:13:21.500000 doneress 99%" }]);
    expect(lines.write("oops\n", true, ts)).toEqual([{ offset: 2, text: "ERROR 2023-11-14T22:13:21.500000 oops" }]);

    const stream = new FileStream(http, target);
    stream.setLine(OUTPUT_STREAM_FILE, 0, "a");
    stream.setLine(OUTPUT_STREAM_FILE, 1, "b-partial");
    await stream.flush();
    stream.setLine(OUTPUT_STREAM_FILE, 1, "b-complete");
    stream.setLine(OUTPUT_STREAM_FILE, 2, "c");
    await stream.finish(0);
    expect(run().streamed.get(OUTPUT_STREAM_FILE)).toEqual(["a", "b-complete", "c"]);
  });
});
