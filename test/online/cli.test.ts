import { readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startProtocolServer, TEST_USER, type ProtocolServer } from "../support/protocol-server/protocol-server.js";
import { tempDir } from "./artifact-fixture.js";
import { runCli, runCliInTerminal } from "./cli-process.js";
import { logDemoRuns } from "./logged-runs.js";

let server: ProtocolServer;
let home: string;
let env: Record<string, string>;
beforeEach(async () => {
  server = await startProtocolServer();
  home = tempDir("wbflow-cli-");
  env = { HOME: home, WANDB_BASE_URL: server.url, WANDB_DIR: home };
});
afterEach(async () => {
  await server.close();
});

const machine = () => new URL(server.url).host;

describe("wbflow login / logout / status", () => {
  it("verifies a key read from stdin, saves it with mode 0600 and never prints it", async () => {
    const result = await runCli(["login"], env, `${TEST_USER.apiKey}\n`);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("as tester (entity tester-entity)");
    expect(result.stdout + result.stderr).not.toContain(TEST_USER.apiKey);
    const netrc = path.join(home, ".netrc");
    expect(readFileSync(netrc, "utf8")).toContain(`machine ${machine()}\n  login user\n  password ${TEST_USER.apiKey}`);
    expect(statSync(netrc).mode & 0o777).toBe(0o600);

    const again = await runCli(["login"], env);
    expect(again.stdout).toContain("Currently logged in as tester");

    const status = await runCli(["status"], env);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/API key\s+set \(from ~\/\.netrc\)/);
    expect(status.stdout).not.toContain(TEST_USER.apiKey);

    const logout = await runCli(["logout"], env);
    expect(logout.stdout).toContain(`Removed the key for ${machine()}`);
    expect(readFileSync(netrc, "utf8")).not.toContain(TEST_USER.apiKey);
    const after = await runCli(["status"], env);
    expect(after.stdout).toMatch(/API key\s+not set/);
  });

  it("asks for the key on a terminal without showing it", async () => {
    const result = await runCliInTerminal(["login"], env, "(it will not be shown): ", TEST_USER.apiKey);
    expect(result.stdout).toContain(`Paste your API key from ${server.url}/authorize`);
    expect(result.stdout).toContain("Currently logged in as tester");
    expect(result.stdout).not.toContain(TEST_USER.apiKey);
    expect(result.code).toBe(0);
    expect(readFileSync(path.join(home, ".netrc"), "utf8")).toContain(TEST_USER.apiKey);
  });

  it("refuses a key the server does not know, saving nothing", async () => {
    writeFileSync(path.join(home, ".netrc"), "machine other.example\n  login user\n  password keep\n", { mode: 0o600 });
    const bad = "z".repeat(40);
    const result = await runCli(["login", "--relogin", bad], env);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("refused this API key; nothing was saved");
    expect(result.stdout + result.stderr).not.toContain(bad);
    expect(readFileSync(path.join(home, ".netrc"), "utf8")).toBe("machine other.example\n  login user\n  password keep\n");
  });

  it("explains a malformed key and a wrong host", async () => {
    const short = await runCli(["login", "abc"], env);
    expect(short.code).toBe(1);
    expect(short.stderr).toContain("at least 40 are needed");
    const host = await runCli(["login", "--host", "https://wandb.ai", TEST_USER.apiKey], env);
    expect(host.code).toBe(2);
    expect(host.stderr).toContain("use https://api.wandb.ai");
  });
});

describe("wbflow sync", () => {
  it("uploads every unsynced run with --all, then nothing on the second call", async () => {
    await logDemoRuns(home, "offline", server.url);
    const withKey = { ...env, WANDB_API_KEY: TEST_USER.apiKey };
    const status = await runCli(["status"], withKey);
    expect(status.stdout).toContain("2 in the wandb dir, 2 not synced");
    const first = await runCli(["sync", "--all"], withKey);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain("2 synced, 0 already synced, 0 failed.");
    expect(first.stdout + first.stderr).not.toContain(TEST_USER.apiKey);
    expect(server.state.runs).toHaveLength(2);
    const second = await runCli(["sync", "--all"], withKey);
    expect(second.stdout).toContain("0 synced, 2 already synced, 0 failed.");
  });

  it("reports a malformed WANDB_API_KEY clearly, without a stack trace or the key", async () => {
    const status = await runCli(["status"], { ...env, WANDB_API_KEY: "short-key" });
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/API key\s+unusable — The W&B API key from WANDB_API_KEY is not valid/);
    const sync = await runCli(["sync", "--all"], { ...env, WANDB_API_KEY: "short-key" });
    expect(sync.code).toBe(1);
    expect(sync.stderr).toContain("wbflow sync: The W&B API key from WANDB_API_KEY is not valid");
    for (const result of [status, sync]) {
      expect(result.stdout + result.stderr).not.toContain("short-key");
      expect(result.stderr).not.toContain("    at ");
    }
  });

  it("tells the user to log in when there is no key", async () => {
    const result = await runCli(["sync", "--all"], env);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("wbflow login");
  });

  it("reports a path with no runs", async () => {
    const result = await runCli(["sync", home], { ...env, WANDB_API_KEY: TEST_USER.apiKey });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("no run-*.wandb log");
  });
});
