/**
 * The W&B side of the CLI facing bad surroundings (issue 13, item 8 and smaller items): a broken
 * ~/.netrc, a base URL that is not http(s) or that carries a password, a symlinked ~/.netrc, and
 * `wbflow sync` of a missing path. One clear line each, a non-zero exit, no stack trace.
 */
import { lstatSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startProtocolServer, TEST_USER, type ProtocolServer } from "../support/protocol-server/protocol-server.js";
import { tempDir } from "./artifact-fixture.js";
import { runCli, type CliResult } from "./cli-process.js";

let server: ProtocolServer;
let home: string;
let env: Record<string, string>;
beforeEach(async () => {
  server = await startProtocolServer();
  home = tempDir("wbflow-cli-errors-");
  env = { HOME: home, WANDB_BASE_URL: server.url, WANDB_DIR: home };
});
afterEach(async () => {
  await server.close();
});

/** Fails unless the command failed with exactly one line on stderr matching `pattern`. */
function expectOneLine(result: CliResult, pattern: RegExp): void {
  expect(result.code, result.stderr).not.toBe(0);
  expect(result.stderr.trim().split("\n"), result.stderr).toHaveLength(1);
  expect(result.stderr).toMatch(pattern);
  expect(result.stderr + result.stdout).not.toMatch(/\n\s+at /);
}

describe("a broken ~/.netrc", () => {
  it("login and logout name the file and what to do", async () => {
    writeFileSync(path.join(home, ".netrc"), "machine other.example login user password p\nmachine\n", { mode: 0o600 });
    for (const args of [["login"], ["login", TEST_USER.apiKey], ["logout"]]) {
      expectOneLine(await runCli(args, env, `${TEST_USER.apiKey}\n`), /\.netrc: 'machine' without a host name.*Fix or remove that line/);
    }
  });

  it("a ~/.netrc that is a folder", async () => {
    mkdirSync(path.join(home, ".netrc"));
    for (const args of [["login", TEST_USER.apiKey], ["logout"], ["status"]]) {
      expectOneLine(await runCli(args, env), /\.netrc cannot be read \(EISDIR\).*move it aside/);
    }
  });
});

describe("WANDB_BASE_URL", () => {
  it("that is not http(s) is refused with one line", async () => {
    const ftp = { ...env, WANDB_BASE_URL: "ftp://x", WANDB_API_KEY: TEST_USER.apiKey };
    for (const args of [["login", TEST_USER.apiKey], ["logout"], ["status"], ["sync", "--all"]]) {
      expectOneLine(await runCli(args, ftp), /ftp:\/\/x.*http:\/\/ or https:\/\//);
    }
  });

  it("with user:password in it is never printed by status", async () => {
    const url = new URL(server.url);
    const withPassword = `http://alice:s3cret-pw@${url.host}`;
    const status = await runCli(["status"], { ...env, WANDB_BASE_URL: withPassword });
    expect(status.code).toBe(0);
    expect(status.stdout).toContain(`http://***@${url.host}`);
    expect(status.stdout + status.stderr).not.toContain("s3cret-pw");
  });
});

describe("login through a symlinked ~/.netrc", () => {
  it("writes the key into the link's target and keeps the link", async () => {
    const dotfiles = path.join(home, "dotfiles");
    mkdirSync(dotfiles);
    writeFileSync(path.join(dotfiles, "netrc"), "machine other.example\n  login user\n  password keep\n", { mode: 0o600 });
    symlinkSync(path.join(dotfiles, "netrc"), path.join(home, ".netrc"));
    const result = await runCli(["login", TEST_USER.apiKey], env);
    expect(result.code, result.stderr).toBe(0);
    expect(lstatSync(path.join(home, ".netrc")).isSymbolicLink()).toBe(true);
    const saved = readFileSync(path.join(dotfiles, "netrc"), "utf8");
    expect(saved).toContain("password keep");
    expect(saved).toContain(TEST_USER.apiKey);
    expect(lstatSync(path.join(dotfiles, "netrc")).mode & 0o777).toBe(0o600);
  });
});

describe("wbflow sync of a missing path", () => {
  it("complains about the path, not the missing key", async () => {
    expectOneLine(await runCli(["sync", "/nonexistent/run"], env), /\/nonexistent\/run: no such file or directory/);
  });
});
