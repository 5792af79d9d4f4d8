import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ArtifactRegistry } from "../../src/wandb/offline/artifact-registry.js";
import { tempDir } from "./helpers/fixtures.js";

const childScript = new URL("./helpers/log-versions-child.ts", import.meta.url).pathname;

/** Starts a child, resolves `ready` when it is waiting at the barrier and `done` with its report. */
function startChild(root: string, label: string, count: number) {
  const child = spawn(process.execPath, ["--import", "tsx", childScript, root, label, String(count)], { stdio: ["pipe", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  let markReady: () => void;
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
    if (stdout.startsWith("ready\n")) markReady();
  });
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<string[]>((resolve, reject) =>
    child.on("close", (code) =>
      code === 0 ? resolve(JSON.parse(stdout.slice("ready\n".length)) as string[]) : reject(new Error(`child ${label} exited ${code}: ${stderr}`)),
    ),
  );
  return { ready, done, go: () => child.stdin.end("go\n") };
}

describe("local artifact registry under two processes", () => {
  it("two processes logging one artifact name at once get consecutive, unique versions and lose nothing", async () => {
    const root = tempDir();
    const perChild = 15;
    const children = ["A", "B"].map((label) => startChild(root, label, perChild));
    await Promise.all(children.map((c) => c.ready));
    for (const c of children) c.go();
    const [gotA, gotB] = await Promise.all(children.map((c) => c.done));

    const registry = new ArtifactRegistry(path.join(root, "wandb", "artifacts", "registry"));
    const versions = await registry.versions("proj", "shared");
    // 15 distinct contents from each process, plus the one content both logged: 31 versions.
    expect(versions.map((v) => v.version)).toEqual(Array.from({ length: 2 * perChild + 1 }, (_, i) => i));
    expect(new Set(versions.map((v) => v.digest)).size).toBe(versions.length);

    // Each child was told a distinct new version for each of its own contents...
    const created = [...gotA!, ...gotB!].filter((t) => t.includes(":new:"));
    expect(new Set(created.map((t) => t.split(":")[0])).size).toBe(versions.length);
    // ...and exactly one child created the shared content; the other was deduplicated onto it.
    const shared = [...gotA!, ...gotB!].filter((t) => t.endsWith(":identical in both processes"));
    expect(shared.map((t) => t.split(":")[1]).sort()).toEqual(["dedup", "new"]);
    expect(new Set(shared.map((t) => t.split(":")[0])).size).toBe(1);
    // Producers match who was told "new".
    for (const [label, got] of [["A", gotA!], ["B", gotB!]] as const) {
      const mine = got.filter((t) => t.includes(":new:")).map((t) => Number(t.split(":")[0]!.slice(1)));
      expect(versions.filter((v) => v.producer?.runId === `child${label}`).map((v) => v.version)).toEqual(mine.sort((x, y) => x - y));
    }
    // The two processes really interleaved: neither got one contiguous block of versions.
    const aVersions = versions.filter((v) => v.producer?.runId === "childA").map((v) => v.version);
    expect(aVersions.at(-1)! - aVersions[0]! + 1).toBeGreaterThan(aVersions.length);

    const aliases = JSON.parse(readFileSync(path.join(root, "wandb", "artifacts", "registry", "proj", "shared", "aliases.json"), "utf8"));
    expect(Object.keys(aliases)).toEqual(["latest"]);
  }, 120_000);
});
