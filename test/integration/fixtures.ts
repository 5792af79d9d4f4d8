/** Flow-source fragments and read-back helpers shared by the integration tests. */
import type { ApiRun } from "../../src/wandb/api.js";
import type { ArtifactVersion } from "../../src/wandb/artifacts/artifact-version.js";
import type { Workspace } from "./workspace.js";

/** A user model implementing the documented save/load protocol, registered as a model type. */
export const LINEAR_MODEL = `
import { registerModelType } from "wbflow";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
export class LinearModel {
  constructor(public w: number[]) {}
  saveModel(dir: string) { writeFileSync(join(dir, "weights.json"), JSON.stringify(this.w)); }
  static loadModel(dir: string) { return new LinearModel(JSON.parse(readFileSync(join(dir, "weights.json"), "utf8"))); }
}
registerModelType(LinearModel);
`;

/** The W&B runs of a project keyed by run name (`step/taskId`). */
export async function runsByName(ws: Workspace, project: string): Promise<Map<string, ApiRun>> {
  const runs = await ws.api.runs(project);
  return new Map(runs.map((run) => [run.name ?? run.id, run]));
}

/** The run with this name; fails the test with the names there are when it is missing. */
export function runNamed(runs: Map<string, ApiRun>, name: string): ApiRun {
  const run = runs.get(name);
  if (!run) throw new Error(`no W&B run named ${name}; runs: ${[...runs.keys()].join(", ")}`);
  return run;
}

/** Producer run id and consumer run ids of a version. */
export function lineageOf(version: ArtifactVersion): { producer: string | undefined; consumers: string[] } {
  return { producer: version.producer?.runId, consumers: version.consumers.map((c) => c.runId).sort() };
}

/** Whether `path` names no artifact version. */
export async function artifactMissing(ws: Workspace, path: string): Promise<boolean> {
  try {
    await ws.api.artifact(path);
    return false;
  } catch (error) {
    if ((error as Error).name === "ArtifactNotFoundError") return true;
    throw error;
  }
}

/** The user-visible summary (without W&B's `_wandb` bookkeeping). */
export function userSummary(run: ApiRun): Record<string, unknown> {
  const { _wandb, ...rest } = run.summary as Record<string, unknown>;
  return rest;
}

/** tslab's convention: legacy decorators, class fields assigned (not defined). */
export const LEGACY = { mode: "legacy" as const, useDefineForClassFields: false };
