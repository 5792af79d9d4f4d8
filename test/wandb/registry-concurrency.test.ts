import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { createInterface } from "node:readline";
import { describe, expect, it } from "vitest";
import { ArtifactRegistry } from "../../src/wandb/offline/artifact-registry.js";
import { tempDir } from "./helpers/fixtures.js";

const childScript = new URL("./helpers/log-versions-child.ts", import.meta.url).pathname;

/** A child driven line by line: `next()` resolves with the child's next stdout line. */
function startChild(root: string, label: string, count: number) {
  const child = spawn(process.execPath, ["--import", "tsx", childScript, root, label, String(count)], { stdio: ["pipe", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
  return {
    async next(): Promise<string> {
      const line = await lines.next();
      if (line.done) throw new Error(`child ${label} ended early (exit ${await exited}): ${stderr}`);
      return line.value;
    },
    release: () => child.stdin.write("go\n"),
    exited,
  };
}

describe("local artifact registry under two processes", () => {
  it("two processes logging one artifact name at once get consecutive, unique versions and lose nothing", async () => {
    const root = tempDir();
    const perChild = 12;
    const children = { A: startChild(root, "A", perChild), B: startChild(root, "B", perChild) };
    const told: Record<"A" | "B", string[]> = { A: [], B: [] };
    for (const child of Object.values(children)) expect(await child.next()).toBe("ready");
    // Each round releases both children at the same moment, so every round is a real race for the lock.
    for (let round = 0; round <= perChild; round++) {
      for (const child of Object.values(children)) child.release();
      for (const [label, child] of Object.entries(children) as Array<["A" | "B", ReturnType<typeof startChild>]>) {
        told[label].push((await child.next()).replace(/^logged /, ""));
      }
    }
    for (const child of Object.values(children)) {
      expect(await child.next()).toBe("done");
      expect(await child.exited).toBe(0);
    }

    const registry = new ArtifactRegistry(path.join(root, "wandb", "artifacts", "registry"));
    const versions = await registry.versions("proj", "shared");
    // 12 distinct contents from each process, plus the one content both logged: 25 versions.
    expect(versions.map((v) => v.version)).toEqual(Array.from({ length: 2 * perChild + 1 }, (_, i) => i));
    expect(new Set(versions.map((v) => v.digest)).size).toBe(versions.length);

    // Round r created versions 2r and 2r+1, one per child, in either order.
    for (let round = 0; round < perChild; round++) {
      const pair = [told.A[round]!, told.B[round]!].map((t) => t.split(":")[0]).sort();
      expect(pair).toEqual([`v${2 * round}`, `v${2 * round + 1}`].sort());
    }
    // Exactly one child created the shared content; the other was deduplicated onto the same version.
    const shared = [told.A[perChild]!, told.B[perChild]!];
    expect(shared.map((t) => t.split(":")[1]).sort()).toEqual(["dedup", "new"]);
    expect(new Set(shared.map((t) => t.split(":")[0]))).toEqual(new Set([`v${2 * perChild}`]));
    // The registry's producers agree with what each child was told.
    for (const label of ["A", "B"] as const) {
      const mine = told[label].filter((t) => t.includes(":new:")).map((t) => Number(t.split(":")[0]!.slice(1)));
      const produced = versions.filter((v) => v.producer?.runId === `child${label}`).map((v) => v.version);
      expect(produced).toEqual(mine.sort((x, y) => x - y));
      for (const t of told[label].filter((x) => x.includes(":new:"))) {
        const [version, , content] = t.split(":");
        expect(versions[Number(version!.slice(1))]!.manifest.contents["data.txt"]!.size).toBe(content!.length + 1);
      }
    }
    const aliases = JSON.parse(readFileSync(path.join(root, "wandb", "artifacts", "registry", "proj", "shared", "aliases.json"), "utf8")).aliases;
    expect(aliases).toEqual({ latest: 2 * perChild });
  }, 120_000);
});
