/**
 * A registry folder read back may be damaged or come from someone else (issue 13, items 1 and 6):
 * manifest paths are checked on every read, and a damaged version or alias file gives an error that
 * names the file — and never stops later logging.
 */
import { existsSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { Api } from "../../src/wandb/api.js";
import { Artifact } from "../../src/wandb/artifacts/artifact.js";
import { init } from "../../src/wandb/run/init.js";
import { loadArtifactValue } from "../../src/integration/artifact-load.js";
import { ManualClock, offlineDeps, tempDir } from "./helpers/fixtures.js";

function setup() {
  const root = tempDir();
  const printed: string[] = [];
  let n = 0;
  const deps = { ...offlineDeps(root, new ManualClock(1_700_000_000_000), "x", printed), newRunId: () => `dmg${String(n++).padStart(5, "0")}` };
  const api = () => new Api({ env: deps.env!, home: root, cwd: root, settings: { project: "proj" } });
  const collection = path.join(root, "wandb", "artifacts", "registry", "proj", "data");
  return { root, deps, api, collection, printed };
}

async function logText(deps: Parameters<typeof init>[1], text: string, metadata: Record<string, unknown> = {}): Promise<string> {
  const run = await init({ project: "proj" }, deps);
  const artifact = new Artifact("data", "dataset", { metadata });
  const out = artifact.newFile("a.txt");
  out.end(text);
  const logged = await run.logArtifact(artifact);
  await run.finish();
  return logged.version;
}

/** Rewrites a version file as someone else could: fields edited, seal dropped. */
function tamper(file: string, edit: (version: Record<string, any>) => void): void {
  const version = JSON.parse(readFileSync(file, "utf8")) as Record<string, any>;
  delete version["sha256"];
  edit(version);
  writeFileSync(file, JSON.stringify(version));
}

describe("manifest paths read back from a registry", () => {
  it("refuses an entry path that escapes the download folder, writing nothing", async () => {
    const { root, deps, api, collection } = setup();
    await logText(deps, "hello");
    tamper(path.join(collection, "versions", "v0.json"), (v) => {
      v.manifest.contents = { "../../escaped.txt": v.manifest.contents["a.txt"] };
    });
    const target = path.join(root, "deep", "down", "dl");
    const attempt = api().artifact("data:v0").then((version) => version.download(target));
    await expect(attempt).rejects.toThrow(/v0\.json.*\.\.\/\.\.\/escaped\.txt/);
    expect(existsSync(path.join(root, "deep", "escaped.txt"))).toBe(false);
    expect(existsSync(target)).toBe(false);
  });

  it("refuses absolute, backslash and empty-segment paths too", async () => {
    for (const bad of ["/etc/evil", "..\\..\\evil", "a//b", "./a", "a/../../b"]) {
      const { deps, api, collection } = setup();
      await logText(deps, "hello");
      tamper(path.join(collection, "versions", "v0.json"), (v) => {
        v.manifest.contents = { [bad]: v.manifest.contents["a.txt"] };
      });
      await expect(api().artifact("data:latest")).rejects.toThrow(/damaged/);
    }
  });

  it("load() refuses metadata that names a file outside the artifact", async () => {
    const { root, deps, api } = setup();
    writeFileSync(path.join(root, "secret.bin"), "secret");
    await logText(deps, "hello", { wbflow: { form: "encoded", codec: "json", file: "../../../secret.bin", attribute: "x", pathspec: "F/1/s/1" } });
    const version = await api().artifact("data:v0");
    await expect(loadArtifactValue(version, path.join(root, "a", "b", "c"))).rejects.toThrow(/not a path inside the artifact/);
  });
});

describe("damaged registry files", () => {
  it("a truncated version file names the file; later versions still log and read", async () => {
    const { deps, api, collection, printed } = setup();
    await logText(deps, "one");
    await logText(deps, "two");
    const v0 = path.join(collection, "versions", "v0.json");
    writeFileSync(v0, readFileSync(v0, "utf8").slice(0, 40));
    await expect(api().artifact("data:v0")).rejects.toThrow(new RegExp(`${v0.replace(/[/.]/g, "\\$&")} is damaged.*not valid JSON`));
    expect((await api().artifact("data:latest")).version).toBe("v1");
    expect(await logText(deps, "three")).toBe("v2");
    expect(await logText(deps, "two")).toBe("v1"); // still deduplicated against a healthy version
    expect((await api().artifact("data:latest")).version).toBe("v1");
    expect(printed.some((line) => line.includes(v0) && line.includes("skipped"))).toBe(true);
  });

  it("a flipped digit that still parses is caught by the seal, not returned", async () => {
    const { deps, api, collection } = setup();
    await logText(deps, "one");
    const v0 = path.join(collection, "versions", "v0.json");
    writeFileSync(v0, readFileSync(v0, "utf8").replace(/"size": 3/, '"size": 4'));
    await expect(api().artifact("data:v0")).rejects.toThrow(/v0\.json is damaged.*SHA-256/);
  });

  it("a damaged aliases.json names the file, then is set aside and rebuilt by the next log", async () => {
    const { deps, api, collection, printed } = setup();
    await logText(deps, "one");
    const aliases = path.join(collection, "aliases.json");
    writeFileSync(aliases, "{\"latest\": ");
    await expect(api().artifact("data:latest")).rejects.toThrow(/aliases\.json is damaged.*Move it aside/);
    expect(await logText(deps, "two")).toBe("v1");
    expect((await api().artifact("data:latest")).version).toBe("v1");
    expect(readdirSync(collection).some((f) => f.startsWith("aliases.json.damaged-"))).toBe(true);
    expect(printed.some((line) => line.includes(aliases) && line.includes("moved to"))).toBe(true);
  });
});
