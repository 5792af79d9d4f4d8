import { mkdtempSync, readFileSync, statSync, writeFileSync, mkdirSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { ApiKey, InvalidApiKeyError } from "../../src/wandb/settings/api-key.js";
import { netrcMachine, netrcPath, readNetrcPassword, removeNetrcEntry, writeNetrcEntry } from "../../src/wandb/settings/netrc.js";
import { InvalidSettingError, resolveSettings, saveApiKey } from "../../src/wandb/settings/settings.js";
import { offlineNoticeText } from "../../src/wandb/offline/offline-notice.js";

const key40 = "a".repeat(20) + "0123456789abcdef0123";
const key86 = "b".repeat(86);
const tempDir = () => mkdtempSync(path.join(os.tmpdir(), "wbflow-cred-"));

describe("API keys", () => {
  it("accepts 40-char, 86-char, prefixed and JWT keys and rejects short or odd ones", () => {
    expect(ApiKey.parse(key40, "t").reveal()).toBe(key40);
    expect(ApiKey.parse(key86, "t").reveal()).toBe(key86);
    expect(ApiKey.parse(`local-${key40}`, "t").reveal()).toBe(`local-${key40}`);
    expect(ApiKey.parse("eyJh.eyJz.c2ln", "t").reveal()).toBe("eyJh.eyJz.c2ln");
    expect(() => ApiKey.parse("a".repeat(39), "WANDB_API_KEY")).toThrow(/39 characters, at least 40.*WANDB_API_KEY|WANDB_API_KEY.*39 characters/);
    expect(() => ApiKey.parse(`${"c".repeat(40)}!`, "t")).toThrow(InvalidApiKeyError);
  });

  it("never shows the secret when printed, stringified or in an error", () => {
    const key = ApiKey.parse(key86, "t");
    expect(String(key)).not.toContain(key86);
    expect(JSON.stringify({ key })).not.toContain(key86);
    expect(inspect({ key })).not.toContain(key86);
    const bad = "x".repeat(39);
    try {
      ApiKey.parse(bad, "t");
    } catch (error) {
      expect((error as Error).message).not.toContain(bad);
    }
  });
});

describe(".netrc", () => {
  it("creates the file with mode 0600 and W&B's entry format", async () => {
    const file = path.join(tempDir(), "netrc");
    await writeNetrcEntry("api.wandb.ai", key40, file);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, "utf8")).toBe(`machine api.wandb.ai\n  login user\n  password ${key40}\n`);
    expect(await readNetrcPassword("api.wandb.ai", file)).toBe(key40);
  });

  it("replaces the entry for the same host, keeps other entries and comments, and tightens the mode", async () => {
    const file = path.join(tempDir(), "netrc");
    const before =
      "# my hosts\nmachine github.com login me password ghp_secret\n" +
      `machine api.wandb.ai\n  login user\n  password ${"o".repeat(40)}\n` +
      'machine example.org login "a b" password "p\\"q"\n';
    writeFileSync(file, before, { mode: 0o644 });
    await writeNetrcEntry("api.wandb.ai", key86, file);
    const after = readFileSync(file, "utf8");
    expect(after).toBe(
      "# my hosts\nmachine github.com login me password ghp_secret\n" +
        'machine example.org login "a b" password "p\\"q"\n' +
        `machine api.wandb.ai\n  login user\n  password ${key86}\n`,
    );
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(await readNetrcPassword("github.com", file)).toBe("ghp_secret");
    expect(await readNetrcPassword("example.org", file)).toBe('p"q');
    await removeNetrcEntry("api.wandb.ai", file);
    expect(await readNetrcPassword("api.wandb.ai", file)).toBeUndefined();
    expect(await readNetrcPassword("github.com", file)).toBe("ghp_secret");
  });

  it("finds the file through NETRC, then ~/.netrc, then ~/_netrc", () => {
    const home = tempDir();
    expect(netrcPath({ NETRC: "/x/y" }, home)).toBe("/x/y");
    expect(netrcPath({}, home)).toBe(path.join(home, ".netrc"));
    writeFileSync(path.join(home, "_netrc"), "");
    expect(netrcPath({}, home)).toBe(path.join(home, "_netrc"));
    expect(netrcMachine("http://localhost:8080")).toBe("localhost:8080");
  });
});

describe("settings", () => {
  it("goes offline with no key anywhere and says why", async () => {
    const home = tempDir();
    const settings = await resolveSettings({ project: "p" }, { env: {}, cwd: home, home });
    expect(settings.mode).toBe("offline");
    expect(settings.offlineBecause).toBe("no-api-key");
    expect(settings.wandb_dir).toBe(path.join(home, "wandb"));
  });

  it("takes explicit options over WANDB_* variables over defaults, and finds the key in .netrc", async () => {
    const home = tempDir();
    const netrc = path.join(home, "n");
    await saveApiKey(key86, { base_url: "http://127.0.0.1:9999", netrc_path: netrc });
    const env = {
      NETRC: netrc,
      WANDB_BASE_URL: "http://127.0.0.1:9999/",
      WANDB_PROJECT: "from-env",
      WANDB_ENTITY: "team",
      WANDB_TAGS: "a, b",
      WANDB_MODE: "dryrun",
      WANDB_RUN_GROUP: "g",
      WANDB_DIR: "sub",
    };
    const settings = await resolveSettings({ project: "explicit" }, { env, cwd: home, home });
    expect(settings).toMatchObject({
      mode: "offline",
      project: "explicit",
      entity: "team",
      run_tags: ["a", "b"],
      run_group: "g",
      base_url: "http://127.0.0.1:9999",
      root_dir: path.join(home, "sub"),
      api_key_source: "netrc",
    });
    expect(settings.offlineBecause).toBeUndefined();
    expect(settings.api_key?.reveal()).toBe(key86);
    const online = await resolveSettings({ mode: "online" }, { env, cwd: home, home });
    expect(online.mode).toBe("online");
  });

  it("prefers .wandb when it exists, and rejects bad projects, run ids and modes with the setting's name", async () => {
    const home = tempDir();
    mkdirSync(path.join(home, ".wandb"));
    expect((await resolveSettings({}, { env: {}, cwd: home, home })).wandb_dir).toBe(path.join(home, ".wandb"));
    await expect(resolveSettings({ project: "a/b" }, { env: {}, home })).rejects.toThrow(InvalidSettingError);
    await expect(resolveSettings({ run_id: "x:y" }, { env: {}, home })).rejects.toThrow(/run_id/);
    await expect(resolveSettings({}, { env: { WANDB_MODE: "nope" }, home })).rejects.toThrow(/'mode'/);
    // A key that cannot be used keeps the work offline and says why (without the key).
    const short = await resolveSettings({}, { env: { WANDB_API_KEY: "short" }, home });
    expect(short).toMatchObject({ mode: "offline", offlineBecause: "no-api-key" });
    expect(short.api_key_problem).toMatch(/WANDB_API_KEY.*5 characters/);
    const netrc = path.join(home, "broken-netrc");
    writeFileSync(netrc, 'machine api.wandb.ai password "unterminated');
    const broken = await resolveSettings({ mode: "online" }, { env: { NETRC: netrc }, home });
    expect(broken.mode).toBe("offline");
    expect(broken.api_key_problem).toMatch(/unterminated quoted value/);
    expect(offlineNoticeText(broken)).toMatch(/cannot be used .*unterminated.*wbflow sync/);
  });
});
