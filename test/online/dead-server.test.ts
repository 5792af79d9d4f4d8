/**
 * A dead W&B server never stalls a flow (issue 13, item 2): a live run gives up on a server that
 * has not answered for `LIVE_RUN_PATIENCE_MS`, stays offline with one line saying how to sync, and
 * the next runs go offline at once. Time is injected: "waiting" is the sum of the backoff sleeps.
 */
import { existsSync, readdirSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { tuneOnlineRuns } from "../../src/wandb/online/online-backend-factory.js";
import { LIVE_RUN_PATIENCE_MS } from "../../src/wandb/online/http/retry-policy.js";
import { syncedMarkerPath } from "../../src/wandb/sync/sync-marker.js";
import { startProtocolServer } from "../support/protocol-server/protocol-server.js";
import { tempDir } from "./artifact-fixture.js";
import { startRun } from "./logged-runs.js";
import { recordingTiming, type RecordingTiming } from "./recording-timing.js";

let timing: RecordingTiming;
const notices: string[] = [];
beforeEach(() => {
  timing = recordingTiming();
  notices.length = 0;
  tuneOnlineRuns({ timing, notify: (line) => notices.push(line) });
});
afterEach(() => tuneOnlineRuns({}));

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const waited = () => timing.sleeps.reduce((sum, ms) => sum + ms, 0);

function expectOfflineWithSyncHint(dir: string): void {
  const log = readdirSync(dir).find((f) => f.endsWith(".wandb"))!;
  expect(existsSync(syncedMarkerPath(path.join(dir, log)))).toBe(false);
  const stopped = notices.filter((n) => n.includes("Nothing is lost"));
  expect(stopped).toHaveLength(1);
  expect(stopped[0]).toMatch(new RegExp(`no answer for ${LIVE_RUN_PATIENCE_MS / 1000} s.*the run is kept offline; upload it later with \`wbflow sync ${dir}\``));
}

describe("a live run against a dead server", () => {
  it("a closed port: the run waits at most the stated bound, then continues offline; the next run goes offline at once", async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const root = tempDir();
    const first = await startRun(root, "online", url, "dead0001");
    first.log({ loss: 1 });
    await first.finish();
    expect(waited()).toBeLessThanOrEqual(LIVE_RUN_PATIENCE_MS);
    expect(notices.filter((n) => n.includes("retrying"))).toEqual([expect.stringContaining(`retrying for up to ${LIVE_RUN_PATIENCE_MS / 1000} s, then run dead0001 continues offline`)]);
    expectOfflineWithSyncHint(first.dir);

    const before = waited();
    const second = await startRun(root, "online", url, "dead0002", {}, 1_700_000_100_000);
    second.log({ loss: 2 });
    await second.finish();
    expect(waited()).toBe(before);
    expect(notices).toContainEqual(expect.stringContaining(`so run dead0002 is kept offline; upload it later with \`wbflow sync ${second.dir}\``));
  });

  it("a server taken down mid-run: the run finishes within the bound and says how to sync", async () => {
    const server = await startProtocolServer();
    const root = tempDir();
    const run = await startRun(root, "online", server.url, "down0001");
    run.log({ loss: 1 });
    // Wait (on events, not time) until the run exists on the server, then take the server down.
    while (server.state.runs.length === 0) await new Promise((resolve) => setImmediate(resolve));
    await server.close();
    for (let step = 2; step < 50; step++) run.log({ loss: 1 / step });
    await run.finish();
    expect(waited()).toBeLessThanOrEqual(LIVE_RUN_PATIENCE_MS);
    expectOfflineWithSyncHint(run.dir);
  });
});
