/**
 * `%wandb` with no path shows the run this session started last (as W&B's magic does): its page
 * inline when online, a line saying why not and where it is kept when offline; with no run yet,
 * the project page as before.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { embedAction } from "../../src/kernel/magics/wandb-sync-and-embed.js";
import type { MagicContext } from "../../src/kernel/magics/magic.js";
import type { ParsedArguments } from "../../src/kernel/magics/magic-arguments.js";
import { Notice } from "../../src/kernel/magics/notice.js";
import { mostRecentRun } from "../../src/wandb/run/run-state.js";
import { startProtocolServer, TEST_USER, type ProtocolServer } from "../support/protocol-server/protocol-server.js";
import { startRun } from "../online/logged-runs.js";
import { tempDir } from "../wandb/helpers/fixtures.js";

let server: ProtocolServer;
beforeAll(async () => {
  server = await startProtocolServer();
});
afterAll(async () => {
  await server.close();
});

function argsOf(path?: string, height?: string): ParsedArguments {
  return { positionals: path === undefined ? {} : { path }, rest: [], options: height === undefined ? {} : { height }, extraOptions: {} };
}

function contextWith(env: NodeJS.ProcessEnv): MagicContext {
  return {
    output: undefined as unknown as MagicContext["output"], // a line magic returning its result writes nothing
    locals: {},
    env,
    runCode: () => Promise.reject(new Error("not a cell magic")),
  };
}

async function page(path?: string, env: NodeJS.ProcessEnv = { WANDB_MODE: "offline" }): Promise<Notice> {
  const result = await embedAction.run(argsOf(path, "300"), contextWith(env), undefined);
  expect(result).toBeInstanceOf(Notice);
  return result as Notice;
}

describe("%wandb without a path", () => {
  it("shows the project page while this session has started no run", async () => {
    expect(mostRecentRun()).toBeUndefined();
    const env = { WANDB_API_KEY: TEST_USER.apiKey, WANDB_BASE_URL: server.url, WANDB_APP_URL: "http://127.0.0.1:1/app", WANDB_ENTITY: "ent", WANDB_PROJECT: "proj", HOME: tempDir() };
    expect((await page(undefined, env)).text).toBe("http://127.0.0.1:1/app/ent/proj?jupyter=true");
  });

  it("says why an offline run has no page and where it is kept", async () => {
    const run = await startRun(tempDir("wbflow-recent-"), "offline", server.url, "offrun01");
    await run.finish();
    const notice = await page();
    expect(notice.text).toBe(
      `The most recent run of this session, offrun01 (project proj), was logged offline, so it has no W&B page. ` +
        `It is kept in ${run.dir}; run %wandb login, then %wandb sync ${run.dir}, to upload it.`,
    );
    expect(notice.html).not.toContain("<iframe");
  });

  it("shows an online run's page inline, and an explicit path still wins", async () => {
    const run = await startRun(tempDir("wbflow-recent-"), "online", server.url, "onrun001");
    await run.finish();
    expect(run.url).toBeDefined();
    const notice = await page();
    expect(notice.text).toBe(`${run.url!}?jupyter=true`);
    expect(notice.text).toContain(`/${TEST_USER.entity}/proj/runs/onrun001?jupyter=true`);
    expect(notice.html).toBe(`<iframe src="${run.url!}?jupyter=true" style="border:none;width:100%;height:300px;"></iframe>`);

    const explicit = await page("other/project", { WANDB_API_KEY: TEST_USER.apiKey, WANDB_BASE_URL: server.url, WANDB_APP_URL: "http://127.0.0.1:1/app", HOME: tempDir() });
    expect(explicit.text).toBe("http://127.0.0.1:1/app/other/project?jupyter=true");
  });
});
