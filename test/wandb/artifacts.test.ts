import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { Api } from "../../src/wandb/api.js";
import { Artifact, ArtifactFrozenError } from "../../src/wandb/artifacts/artifact.js";
import { ArtifactIntegrityError } from "../../src/wandb/artifacts/artifact-version.js";
import { ArtifactValidationError } from "../../src/wandb/artifacts/artifact-validation.js";
import { init } from "../../src/wandb/run/init.js";
import { ArtifactNotFoundError, ArtifactTypeConflictError } from "../../src/wandb/offline/artifact-registry.js";
import { readTransactionLog } from "../../src/wandb/offline/transaction-log-reader.js";
import { ObjectStore } from "../../src/wandb/offline/object-store.js";
import { ManualClock, offlineDeps, tempDir } from "./helpers/fixtures.js";

function depsFor(root: string) {
  let n = 0;
  let c = 0;
  return {
    ...offlineDeps(root, new ManualClock(1_700_000_000_000)),
    newRunId: () => `art${String(n++).padStart(5, "0")}`,
    newClientId: () => `client${c++}`,
  };
}

describe("artifact validation", () => {
  it("enforces W&B's rules for names, types, aliases, metadata and paths", () => {
    expect(() => new Artifact("bad/name", "dataset")).toThrow(ArtifactValidationError);
    expect(() => new Artifact("ok", "wandb-history")).toThrow(/reserved/);
    expect(() => new Artifact("run-x", "run_table")).toThrow(/run-/);
    expect(() => new Artifact("x".repeat(129), "dataset")).toThrow(/128/);
    expect(() => new Artifact("ok", "dataset", { metadata: { a: Infinity } })).toThrow(/Infinity/);
    const a = new Artifact("ok", "dataset");
    expect(() => a.addReference("not a uri")).toThrow(/not a URI/);
    expect(() => a.newFile("../escape.txt")).toThrow(/'\.\.'/);
    expect(() => a.addFile("/definitely/missing/file")).toThrow(/does not exist/);
    expect(() => a.addReference("s3://b/k", { name: "x" })).not.toThrow();
    expect(() => a.addReference("s3://b/other", { name: "x" })).toThrow(/already has an entry/);
  });
});

describe("entry paths too long for a file system", () => {
  it("are refused when added, naming the artifact and the limit, instead of a bare ENAMETOOLONG at write time", async () => {
    const root = tempDir("wbflow-longpath-");
    const src = path.join(root, "a.txt");
    writeFileSync(src, "x");
    const a = new Artifact("tbl", "dataset");
    const longName = "n".repeat(5000);
    expect(() => a.addFile(src, { name: longName })).toThrow(/'tbl' entry path "n{60}… \(5000 characters\)" is not valid: a file or folder name is 5000 bytes; file systems take at most 255/);
    expect(() => a.newFile(`${"d".repeat(200)}/`.repeat(25) + "f.txt")).toThrow(/the path is \d+ bytes; at most 4096/);
    expect(() => a.newFile("é".repeat(200))).toThrow(/400 bytes/);
    a.addFile(src, { name: `${"d".repeat(255)}/ok.txt` });
  });
});

describe("logging and using artifacts offline", () => {
  it("logs versions v0, v1, dedups identical content, moves aliases, records lineage, and downloads verified files", async () => {
    const root = tempDir();
    const deps = depsFor(root);
    const src = path.join(root, "src");
    mkdirSync(path.join(src, "data"), { recursive: true });
    writeFileSync(path.join(src, "a.txt"), "hello\n");
    writeFileSync(path.join(src, "data", "b.txt"), "world\n");

    const producer = await init({ project: "proj", entity: "ent" }, deps);
    const first = new Artifact("raw_df", "dataset", { description: "raw", metadata: { rows: 2 } });
    await first.addDir(src);
    const v0 = await producer.logArtifact(first, { aliases: ["best"] });
    expect(v0).toMatchObject({ name: "raw_df", version: "v0", digest: "c9a124ec5e535fb59d644c76c08dd2bf", size: 12, deduplicated: false, qualifiedName: "raw_df:v0" });
    expect(v0.aliases.sort()).toEqual(["best", "latest", "v0"]);
    expect(() => first.addFile(path.join(src, "a.txt"), { name: "again" })).toThrow(ArtifactFrozenError);

    // The user changes the source file: the logged version must not change.
    writeFileSync(path.join(src, "a.txt"), "changed\n");
    const second = new Artifact("raw_df", "dataset");
    await second.addDir(src);
    const v1 = await producer.logArtifact(second);
    expect(v1).toMatchObject({ version: "v1", deduplicated: false });

    const same = new Artifact("raw_df", "dataset");
    await same.addDir(src);
    const again = await producer.logArtifact(same);
    expect(again).toMatchObject({ version: "v1", deduplicated: true });

    const streamed = new Artifact("model", "model");
    const out = streamed.newFile("weights/w.bin");
    out.end(Buffer.from([1, 2, 3]));
    streamed.addReference("s3://bucket/key/table.parquet");
    expect((await producer.logArtifact(streamed)).version).toBe("v0");
    await expect(producer.logArtifact(Object.assign(new Artifact("model", "dataset")))).rejects.toThrow(ArtifactTypeConflictError);
    await producer.finish();

    const consumer = await init({ project: "proj", entity: "ent" }, deps);
    const used = await consumer.useArtifact("raw_df:v0");
    expect(used.qualifiedName).toBe("raw_df:v0");
    const latest = await consumer.useArtifact("ent/proj/raw_df:latest", { type: "dataset" });
    expect(latest.version).toBe("v1");
    await expect(consumer.useArtifact("raw_df:v9")).rejects.toThrow(ArtifactNotFoundError);
    await expect(consumer.useArtifact("raw_df:latest", { type: "model" })).rejects.toThrow(/type 'dataset'/);
    await consumer.finish();

    const api = new Api({ env: deps.env!, home: root, cwd: root, settings: { project: "proj" } });
    const read = await api.artifact("raw_df:best");
    expect(read.version).toBe("v0");
    expect(read.metadata).toEqual({ rows: 2 });
    expect(read.description).toBe("raw");
    expect(read.producer).toEqual({ runId: "art00000", project: "proj", entity: "ent" });
    expect(read.consumers).toEqual([{ runId: "art00001", project: "proj", entity: "ent" }]);
    expect(read.files()).toEqual([
      { path: "a.txt", digest: "sZRqySSS0jR8YjW00mERhA==", size: 6 },
      { path: "data/b.txt", digest: "WReFt5RgHiErJg4lklY2/Q==", size: 6 },
    ]);
    const downloaded = await read.download(path.join(root, "dl"));
    expect(readFileSync(path.join(downloaded, "a.txt"), "utf8")).toBe("hello\n");
    expect(readFileSync(path.join(downloaded, "data", "b.txt"), "utf8")).toBe("world\n");
    const defaultDir = await (await api.artifact("model:latest")).download();
    expect(defaultDir).toBe(path.join(root, "artifacts", "model:v0"));
    expect([...readFileSync(path.join(defaultDir, "weights", "w.bin"))]).toEqual([1, 2, 3]);
    expect(existsSync(path.join(defaultDir, "table.parquet"))).toBe(false);

    // Records: the producer's artifact records carry entity, project, staged local paths and finalize.
    const producerLog = await readTransactionLog(path.join(producer.dir, "run-art00000.wandb"));
    const artifactRecords = producerLog.records.flatMap((r) => (r.type === "artifact" ? [r.artifact] : []));
    expect(artifactRecords).toHaveLength(4);
    const rec = artifactRecords[0]!;
    expect(rec).toMatchObject({ runId: "art00000", entity: "ent", project: "proj", type: "dataset", name: "raw_df", digest: "c9a124ec5e535fb59d644c76c08dd2bf", finalize: true, aliases: ["latest", "best"] });
    expect(rec.userCreated).toBeUndefined();
    for (const entry of rec.manifest!.contents!) {
      expect(entry.localPath).toContain(path.join("wandb", "artifacts", "staging"));
      expect(readFileSync(entry.localPath!, "utf8")).toMatch(/hello|world/);
    }
    const consumerLog = await readTransactionLog(path.join(consumer.dir, "run-art00001.wandb"));
    const uses = consumerLog.records.flatMap((r) => (r.type === "artifact" ? [r.artifact] : []));
    expect(uses.map((u) => [u.name, u.digest, u.userCreated, u.useAfterCommit])).toEqual([
      ["raw_df", "c9a124ec5e535fb59d644c76c08dd2bf", true, true],
      ["raw_df", v1.digest, true, true],
    ]);

    // A damaged store object is caught by download's MD5 check.
    const store = ObjectStore.at(path.join(root, "wandb", "artifacts", "obj"));
    const object = store.objectPath("sZRqySSS0jR8YjW00mERhA==");
    chmodSync(object, 0o644);
    writeFileSync(object, "HELLO\n");
    await expect(read.download(path.join(root, "dl2"))).rejects.toThrow(ArtifactIntegrityError);
    expect(existsSync(path.join(root, "dl2", "a.txt"))).toBe(false);
  });

  it("re-logging an unchanged file reads nothing: the digest cache and the store answer", async () => {
    const root = tempDir();
    const file = path.join(root, "big.bin");
    writeFileSync(file, Buffer.alloc(1024 * 1024, 7));
    const store = ObjectStore.at(path.join(root, "store"));
    const first = await store.ingest(file);
    expect(first.copied).toBe(true);
    expect(statSync(first.objectPath).mode & 0o777).toBe(0o444);
    const second = await store.ingest(file);
    expect(second).toEqual({ ...first, copied: false });
    // A changed file (new mtime/size) is hashed again.
    writeFileSync(file, Buffer.alloc(1024 * 1024 + 1, 7));
    expect((await store.ingest(file)).copied).toBe(true);
  });

  it("addDir keeps relative POSIX paths under a prefix, follows file links and skips folder links", async () => {
    const root = tempDir();
    mkdirSync(path.join(root, "d", "sub"), { recursive: true });
    writeFileSync(path.join(root, "d", "sub", "x.txt"), "x");
    writeFileSync(path.join(root, "outside.txt"), "o");
    symlinkSync(path.join(root, "outside.txt"), path.join(root, "d", "link.txt"));
    symlinkSync(path.join(root, "d"), path.join(root, "d", "loop"));
    const artifact = new Artifact("dir", "dataset");
    await artifact.addDir(path.join(root, "d"), { name: "data" });
    expect(artifact.paths.sort()).toEqual(["data/link.txt", "data/sub/x.txt"]);
    await expect(artifact.addDir(path.join(root, "missing"))).rejects.toThrow(/does not exist/);
  });

  it("refuses to log while a newFile() stream is still open", async () => {
    const root = tempDir();
    const run = await init({ project: "proj" }, depsFor(root));
    const draft = new Artifact("open", "text");
    const stream = draft.newFile("n.txt");
    stream.write("partial");
    await expect(run.logArtifact(draft)).rejects.toThrow(/newFile\(\) stream is still open/);
    stream.end();
    await run.finish();
  });

  it("uses a draft artifact by committing it as a user-created version", async () => {
    const root = tempDir();
    const deps = depsFor(root);
    const run = await init({ project: "proj" }, deps);
    const draft = new Artifact("notes", "text");
    draft.newFile("n.txt").end("note\n");
    const used = await run.useArtifact(draft);
    expect(used.version).toBe("v0");
    expect(used.producer).toBeUndefined();
    expect(used.consumers.map((c) => c.runId)).toEqual([run.id]);
    await run.finish();
  });

  it("use records name the consuming run's entity and project; a draft used at once asks for latest", async () => {
    const root = tempDir();
    const deps = depsFor(root);
    const producer = await init({ project: "proj" }, deps); // no entity: the server's default
    const logged = new Artifact("raw_df", "dataset");
    logged.newFile("a.txt").end("a\n");
    await producer.logArtifact(logged);
    await producer.finish();
    const consumer = await init({ project: "proj", entity: "team" }, deps);
    await consumer.useArtifact("raw_df:v0");
    const draft = new Artifact("notes", "text");
    draft.newFile("n.txt").end("note\n");
    await consumer.useArtifact(draft);
    await consumer.finish();
    const log = await readTransactionLog(path.join(consumer.dir, `run-${consumer.id}.wandb`));
    const uses = log.records.flatMap((r) => (r.type === "artifact" ? [r.artifact] : []));
    expect(uses.map((u) => [u.name, u.entity, u.project, u.aliases ?? [], u.userCreated, u.useAfterCommit])).toEqual([
      ["raw_df", "team", "proj", [], true, true],
      ["notes", "team", "proj", ["latest"], true, true],
    ]);
  });
});
