/**
 * A private workspace per test: a temp folder holding the flow datastore and the offline W&B
 * directory, `@wandb_log` pointed at it (offline, no key, private HOME), its printed lines captured,
 * and the W&B read API over the same folder.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Datastore } from "../../src/flow/datastore/datastore.js";
import { configureWandbLog } from "../../src/integration/wandb-log/wandb-log-environment.js";
import { Api } from "../../src/wandb/api.js";

export interface Workspace {
  dir: string;
  datastore: Datastore;
  env: NodeJS.ProcessEnv;
  api: Api;
  /** Lines `@wandb_log` printed. */
  lines: string[];
  restore(): void;
}

/**
 * @param project the read API's default project (the flow's name, which `@wandb_log` uses by default)
 * @param extraEnv more environment variables for `@wandb_log`
 */
export function workspace(project: string, extraEnv: NodeJS.ProcessEnv = {}): Workspace {
  const dir = mkdtempSync(path.join(tmpdir(), "wbflow-integration-"));
  const env: NodeJS.ProcessEnv = {
    WANDB_MODE: "offline",
    WANDB_DIR: dir,
    NETRC: path.join(dir, "netrc"),
    WANDB_DATA_DIR: path.join(dir, "data"),
    ...extraEnv,
  };
  const lines: string[] = [];
  const restore = configureWandbLog({
    print: (line) => lines.push(line),
    env: () => env,
    initDependencies: () => ({ env, home: dir, cwd: dir, print: () => undefined }),
  });
  return {
    dir,
    datastore: new Datastore({ root: path.join(dir, ".wbflow") }),
    env,
    api: new Api({ env, home: dir, cwd: dir, settings: { project } }),
    lines,
    restore,
  };
}
