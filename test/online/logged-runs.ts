/**
 * Runs logged through the real `init()`/`Run` in a chosen mode, identical in both modes (fixed
 * clock and run ids), so a run logged online can be compared with the same run synced later.
 */
import { mkdirSync } from "node:fs";
import path from "node:path";
import { init } from "../../src/wandb/run/init.js";
import type { Run } from "../../src/wandb/run/run.js";
import type { ArtifactRecord } from "../../src/wandb/protocol/records.js";
import { artifactFromFiles } from "./artifact-fixture.js";
import { TEST_USER } from "../support/protocol-server/protocol-server.js";

/** A clock that advances 1.5 s per reading, from a fixed instant. */
export function steppingClock(startMs = 1_700_000_000_000) {
  let now = startMs;
  return { now: () => (now += 1500) };
}

/** Starts a run in `root` against `baseUrl` (online) or offline. */
export async function startRun(
  root: string,
  mode: "online" | "offline",
  baseUrl: string,
  id: string,
  extra: { job_type?: string; config?: Record<string, unknown> } = {},
  startMs = 1_700_000_000_000,
): Promise<Run> {
  return init(
    {
      project: "proj",
      group: "DemoFlow/1",
      job_type: extra.job_type ?? "train",
      name: `${id}-name`,
      tags: ["demo"],
      notes: "notes here",
      config: extra.config ?? { lr: 0.1, model: { layers: 3 } },
      mode,
      id,
      dir: root,
      settings: { base_url: baseUrl, api_key: TEST_USER.apiKey },
    },
    { clock: steppingClock(startMs), env: {}, home: root, cwd: root, print: () => undefined },
  );
}

/** Emits an artifact record for files staged under `root` (as the offline client stages them). */
export function logArtifactRecord(
  run: Run,
  root: string,
  spec: { type: string; name: string; files: Record<string, string>; use?: boolean; clientId: string },
): void {
  const staging = path.join(root, "staging");
  mkdirSync(staging, { recursive: true });
  const upload = artifactFromFiles(staging, { entity: "", project: "proj", runId: run.id, type: spec.type, name: spec.name }, spec.files);
  const artifact: ArtifactRecord = {
    runId: run.id,
    project: "proj",
    entity: TEST_USER.entity,
    type: spec.type,
    name: spec.name,
    digest: upload.digest,
    aliases: ["latest"],
    finalize: true,
    clientId: spec.clientId,
    sequenceClientId: `${spec.clientId}-seq`,
    ...(spec.use ? { userCreated: true, useAfterCommit: true } : {}),
    manifest: {
      version: 1,
      storagePolicy: "wandb-storage-policy-v1",
      contents: upload.entries.map((e) => ({ path: e.path, digest: e.digest, size: e.size, localPath: e.localPath! })),
    },
  };
  run.emit({ type: "artifact", artifact });
}

/**
 * A small two-step "flow": `prepare` logs history, console and a dataset; `train` uses that
 * dataset version, logs a model and a summary. Returns the run directories.
 */
export async function logDemoRuns(root: string, mode: "online" | "offline", baseUrl: string): Promise<string[]> {
  const prepare = await startRun(root, mode, baseUrl, "prep0001", { job_type: "prepare" }, 1_700_000_000_000);
  prepare.log({ rows: 3 });
  prepare.log({ rows: 6, ratio: Number.NaN });
  prepare.writeConsole("loading data\n");
  prepare.writeConsole("progress 10%\rprogress 100%\n", "stderr");
  logArtifactRecord(prepare, root, { type: "dataset", name: "raw_df", files: { "raw_df.json": '{"x":[1,2,3]}' }, clientId: "c-raw" });
  await prepare.finish();

  const train = await startRun(root, mode, baseUrl, "train001", { job_type: "train", config: { lr: 0.1, alpha: 0.5 } }, 1_700_000_100_000);
  logArtifactRecord(train, root, { type: "dataset", name: "raw_df", files: { "raw_df.json": '{"x":[1,2,3]}' }, use: true, clientId: "c-use" });
  for (let epoch = 0; epoch < 5; epoch++) train.log({ epoch, loss: 1 / (epoch + 1) });
  train.config.update({ epochs: 5 });
  train.summary.set("accuracy", 0.93);
  logArtifactRecord(train, root, { type: "model", name: "model", files: { "model.json": '{"w":2}' }, clientId: "c-model" });
  await train.finish();
  return [prepare.dir, train.dir];
}
