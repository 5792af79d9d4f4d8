/**
 * One login flow (wandb/settings/login.ts) behind two front ends, `wbflow login` (a real CLI child
 * process) and `%wandb login` (the magic's action with an in-memory cell output): the same options,
 * `--no-verify` included, and the same messages, against the protocol test server on loopback.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loginAction } from "../../src/kernel/magics/wandb-login.js";
import { login } from "../../src/wandb/settings/login.js";
import { verifyApiKey } from "../../src/wandb/online/viewer.js";
import { recordingTiming } from "../online/recording-timing.js";
import { parseArguments } from "../../src/kernel/magics/magic-arguments.js";
import type { CellOutput } from "../../src/kernel/cells/cell-output.js";
import type { MimeBundle } from "../../src/display/mime-bundle.js";
import { runCli } from "../support/cli.js";
import { startProtocolServer, TEST_USER, type ProtocolServer } from "../support/protocol-server/protocol-server.js";
import { tempDir } from "./helpers/fixtures.js";

let server: ProtocolServer;
beforeAll(async () => {
  server = await startProtocolServer();
});
afterAll(async () => {
  await server.close();
});

/** A fresh HOME and the environment both front ends read. */
function sandbox(extra: Record<string, string> = {}): { home: string; env: Record<string, string> } {
  const home = tempDir("wbflow-login-");
  return { home, env: { HOME: home, NETRC: path.join(home, ".netrc"), WANDB_BASE_URL: server.url, ...extra } };
}

/** Runs `%wandb login WORDS` the way the kernel would; returns what the cell showed, or its error. */
async function magicLogin(env: NodeJS.ProcessEnv, words: string[], answer?: string): Promise<{ shown: string[]; stderr: string; error?: Error; result?: MimeBundle }> {
  const shown: string[] = [];
  let stderr = "";
  const output: CellOutput = {
    stream: (_name, text) => void (stderr += text),
    display: (bundle) => void shown.push(String(bundle["text/plain"])),
    result: () => undefined,
    error: () => undefined,
    prompt: async () => {
      if (answer === undefined) throw new Error("unexpected prompt");
      return answer;
    },
  };
  const action = loginAction();
  const parsed = parseArguments(words, action.arguments, "%wandb login");
  try {
    const value = (await action.run(parsed, { output, env, locals: {}, runCode: async () => undefined }, undefined)) as {
      toMimeBundle(): MimeBundle;
    };
    return { shown, stderr, result: value.toMimeBundle() };
  } catch (error) {
    return { shown, stderr, error: error as Error };
  }
}

/** A message with the front end's command name made neutral, to compare the two front ends. */
const neutral = (text: string) => text.replaceAll("%wandb login", "LOGIN").replaceAll("wbflow login", "LOGIN").trim();

describe("one login flow for wbflow login and %wandb login", () => {
  it("--no-verify saves the key without asking the server, in both front ends", async () => {
    const down = "http://127.0.0.1:9"; // nothing listens: a verification attempt would fail
    const cli = sandbox({ WANDB_BASE_URL: down });
    const result = await runCli(["login", "--no-verify", TEST_USER.apiKey], cli.env);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(readFileSync(path.join(cli.home, ".netrc"), "utf8")).toContain(TEST_USER.apiKey);
    expect(statSync(path.join(cli.home, ".netrc")).mode & 0o777).toBe(0o600);

    const notebook = sandbox({ WANDB_BASE_URL: down });
    const magic = await magicLogin(notebook.env, [TEST_USER.apiKey, "--no-verify"]);
    expect(magic.error).toBeUndefined();
    expect(readFileSync(path.join(notebook.home, ".netrc"), "utf8")).toContain(TEST_USER.apiKey);
    const magicText = String(magic.result?.["text/plain"]);
    expect(magicText).toContain("not verified with the server (--no-verify)");
    expect(neutral(magicText.replace(notebook.home, cli.home))).toContain(neutral(result.stdout));
    expect(result.stdout + magicText).not.toContain(TEST_USER.apiKey);
  });

  it("a refused key: the same message, nothing saved, the key never shown", async () => {
    const refused = "r".repeat(40);
    const cli = sandbox();
    const result = await runCli(["login", refused], cli.env);
    expect(result.code).toBe(1);
    const notebook = sandbox();
    const magic = await magicLogin(notebook.env, [refused]);
    expect(magic.error?.name).toBe("MagicUsageError");
    const expected = `LOGIN: ${server.url} refused this API key; nothing was saved. Copy the key again from ${server.url}/authorize and rerun LOGIN.`;
    expect(neutral(result.stderr)).toBe(expected);
    expect(neutral(magic.error!.message)).toBe(expected);
    expect(result.stdout + result.stderr + magic.error!.message + magic.stderr).not.toContain(refused);
  });

  it("a configured key: the same 'currently logged in' message, verified with the server", async () => {
    const cli = sandbox({ WANDB_API_KEY: TEST_USER.apiKey });
    const result = await runCli(["login"], cli.env);
    expect(result.code).toBe(0);
    const notebook = sandbox({ WANDB_API_KEY: TEST_USER.apiKey });
    const magic = await magicLogin(notebook.env, []);
    const expected =
      `Currently logged in as ${TEST_USER.username} (entity ${TEST_USER.entity}) to ${server.url}; ` +
      "key already configured (WANDB_API_KEY). Use LOGIN --relogin to change the key.";
    expect(neutral(result.stdout)).toBe(expected);
    expect(neutral(String(magic.result?.["text/plain"]))).toBe(`wandb: ${expected} New runs in this kernel log online.`);
    expect(notebook.env["WANDB_MODE"]).toBe("online");
  });

  it("asks for a key the same way: where to get one, then a hidden prompt", async () => {
    const notebook = sandbox();
    const magic = await magicLogin(notebook.env, [], TEST_USER.apiKey);
    expect(magic.error).toBeUndefined();
    expect(magic.shown).toEqual([
      `Logging in to ${server.url}. Create or copy an API key at ${server.url}/authorize — store it securely and do not share it.`,
    ]);
    const cli = sandbox();
    const result = await runCli(["login"], cli.env, `${TEST_USER.apiKey}\n`);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(magic.shown[0]);
    expect(result.stderr).toContain(`Paste your API key from ${server.url}/authorize and press enter (it will not be shown): `);
    expect(readFileSync(path.join(cli.home, ".netrc"), "utf8")).toContain(TEST_USER.apiKey);
  });
});

/** A loopback HTTP server answering every request with `answer`; it records what it was sent. */
async function loopbackServer(answer: (res: import("node:http").ServerResponse) => void): Promise<{ url: string; seen: IncomingHttpHeaders[]; server: Server }> {
  const seen: IncomingHttpHeaders[] = [];
  const server = createServer((req, res) => {
    seen.push(req.headers);
    req.resume();
    answer(res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, seen, server };
}

describe("a server that cannot check the key", () => {
  it("a redirect: one line naming the target and what to change, in both front ends; nothing saved, the key sent nowhere else", async () => {
    const target = await loopbackServer((res) => res.writeHead(200).end("{}"));
    const moved = await loopbackServer((res) => res.writeHead(301, { location: `${target.url}/graphql?sig=secret` }).end());
    try {
      const key = "k".repeat(40);
      const cli = sandbox({ WANDB_BASE_URL: moved.url });
      const result = await runCli(["login", key], cli.env);
      expect(result.code).toBe(1);
      expect(result.stderr).not.toContain("    at ");
      const lines = result.stderr.trim().split("\n");
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^wbflow login: could not check the key with http:\/\/127\.0\.0\.1:\d+: .*redirect \(HTTP 301\) to http:\/\/127\.0\.0\.1:\d+\/graphql\. /);
      expect(lines[0]).toContain("set its new API URL as base_url");
      expect(lines[0]).toContain("wbflow login --no-verify");
      expect(lines[0]).not.toContain("secret");

      const notebook = sandbox({ WANDB_BASE_URL: moved.url });
      const magic = await magicLogin(notebook.env, [key]);
      expect(magic.error?.name).toBe("MagicUsageError");
      expect(neutral(magic.error!.message)).toBe(neutral(lines[0]!));

      for (const home of [cli.home, notebook.home]) expect(existsSync(path.join(home, ".netrc"))).toBe(false);
      expect(result.stdout + result.stderr + magic.error!.message + magic.stderr).not.toContain(key);
      expect(moved.seen.length).toBeGreaterThanOrEqual(2);
      expect(target.seen).toEqual([]); // the key never went to the redirect's target
    } finally {
      moved.server.close();
      target.server.close();
    }
  });

  it("a server that does not answer: a LoginError saying so and what to do, not a crash", async () => {
    const home = tempDir("wbflow-login-");
    const env = { HOME: home, NETRC: path.join(home, ".netrc"), WANDB_BASE_URL: "http://127.0.0.1:9" };
    const frontEnd = { command: "wbflow login", givenKeySource: "the command line", env, inform: () => undefined, warn: () => undefined, askForKey: async () => "" };
    const verify = (host: string, key: string) => verifyApiKey(host, key, recordingTiming());
    const error = await login({ key: TEST_USER.apiKey }, frontEnd, verify).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(error?.name).toBe("LoginError");
    expect(error?.message).toMatch(/^could not check the key with http:\/\/127\.0\.0\.1:9: .*gave up after 3 attempts.*Nothing was saved\. .*wbflow login --no-verify\.$/);
    expect(existsSync(path.join(home, ".netrc"))).toBe(false);
    // A configured key is checked the same way when the server is down.
    const configured = await login({}, { ...frontEnd, env: { ...env, WANDB_API_KEY: TEST_USER.apiKey } }, verify).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(configured?.name).toBe("LoginError");
  });
});
