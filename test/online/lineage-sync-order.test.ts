/**
 * Lineage that survives the sync order. Several producers and consumers in one group, the
 * consumers started (by their clocks) before the producers, so start-time order alone would send
 * a consumer first and make it the version's creator. `wbflow sync` still gets every edge right;
 * `wbflow sync --print-wandb-commands` prints the order W&B's own `wandb sync` needs (one run each,
 * producers first), and replaying the runs one at a time in that order gives the same server state.
 */
import path from "node:path";
import { afterEach, beforeEach, expect, test } from "vitest";
import { Artifact } from "../../src/wandb/artifacts/artifact.js";
import { syncRuns } from "../../src/wandb/sync/sync.js";
import { wandbSyncCommands } from "../../src/wandb/sync/wandb-sync-order.js";
import { startProtocolServer, TEST_USER, type ProtocolServer } from "../support/protocol-server/protocol-server.js";
import { tempDir } from "./artifact-fixture.js";
import { runCli } from "./cli-process.js";
import { startRun } from "./logged-runs.js";
import { recordingTiming } from "./recording-timing.js";

let servers: ProtocolServer[] = [];
beforeEach(async () => {
  servers = await Promise.all([startProtocolServer(), startProtocolServer()]);
});
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

function artifactWith(name: string, text: string): Artifact {
  const artifact = new Artifact(name, "dataset");
  artifact.newFile(`${name}.txt`).end(text);
  return artifact;
}

/** prodA logs a; prodB uses a and logs b; cons1 uses a and b; cons2 uses b. Consumers' clocks start first. */
async function logGroup(root: string): Promise<Record<string, string>> {
  const url = servers[0]!.url;
  const prodA = await startRun(root, "offline", url, "proda001", { job_type: "prodA" }, 1_700_000_300_000);
  await prodA.logArtifact(artifactWith("a", "A"));
  await prodA.finish();
  const prodB = await startRun(root, "offline", url, "prodb001", { job_type: "prodB" }, 1_700_000_400_000);
  await prodB.useArtifact("a:latest");
  await prodB.logArtifact(artifactWith("b", "B"));
  await prodB.finish();
  const cons1 = await startRun(root, "offline", url, "cons1001", { job_type: "cons1" }, 1_700_000_100_000);
  await cons1.useArtifact("a:v0");
  await cons1.useArtifact("b:v0");
  await cons1.finish();
  const cons2 = await startRun(root, "offline", url, "cons2001", { job_type: "cons2" }, 1_700_000_200_000);
  await cons2.useArtifact("b:latest");
  await cons2.finish();
  return { proda001: prodA.dir, prodb001: prodB.dir, cons1001: cons1.dir, cons2001: cons2.dir };
}

const lineage = (server: ProtocolServer) => {
  const artifacts = server.state.snapshot().artifacts;
  const of = (name: string) =>
    artifacts[`${TEST_USER.entity}/proj/${name}`]!.map((v) => ({ version: v.version, producer: v.producer, consumers: [...v.consumers].sort() }));
  return { a: of("a"), b: of("b") };
};
const run = (id: string) => `${TEST_USER.entity}/proj/${id}`;

test("several producers and consumers in one group: wbflow sync and the printed wandb sync order keep every edge", async () => {
  const root = tempDir();
  const dirs = await logGroup(root);
  const expected = {
    a: [{ version: "v0", producer: run("proda001"), consumers: [run("cons1001"), run("prodb001")] }],
    b: [{ version: "v0", producer: run("prodb001"), consumers: [run("cons1001"), run("cons2001")] }],
  };

  const [whole, oneByOne] = servers as [ProtocolServer, ProtocolServer];
  const results = await syncRuns({
    allIn: path.join(root, "wandb"),
    connection: { baseUrl: whole.url, apiKey: TEST_USER.apiKey, timing: recordingTiming() },
    notify: () => undefined,
  });
  expect(results.map((r) => r.status)).toEqual(["synced", "synced", "synced", "synced"]);
  expect(lineage(whole)).toEqual(expected);

  // The order W&B's own sync needs: every producer before its consumers, whatever the clocks say.
  const commands = await wandbSyncCommands({ allIn: path.join(root, "wandb"), includeSynced: true });
  expect(commands).toEqual(["proda001", "prodb001", "cons1001", "cons2001"].map((id) => `wandb sync ${dirs[id]}`));
  // Following it one run at a time (each sync on its own, as the commands are run) gives the same state.
  for (const command of commands) {
    const [result] = await syncRuns({
      paths: [command.slice("wandb sync ".length)],
      includeSynced: true,
      connection: { baseUrl: oneByOne.url, apiKey: TEST_USER.apiKey, timing: recordingTiming() },
      notify: () => undefined,
    });
    expect(result!.status).toBe("synced");
  }
  expect(lineage(oneByOne)).toEqual(expected);

  // The CLI prints the same list, needs no key, and uploads nothing.
  const cli = await runCli(["sync", "--all", "--include-synced", "--print-wandb-commands"], { HOME: root, WANDB_DIR: root, WANDB_BASE_URL: whole.url });
  expect(cli.code).toBe(0);
  expect(cli.stdout.trim().split("\n")).toEqual(commands);
});
