import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startProtocolServer, TEST_USER, type ProtocolServer } from "../support/protocol-server/protocol-server.js";
import type { Fault, Route } from "../support/protocol-server/fault-plan.js";
import { WandbHttpClient } from "../../src/wandb/online/http/http-client.js";
import { upsertBucket } from "../../src/wandb/online/run/run-operations.js";
import { uploadArtifact, type ArtifactUploadProgress } from "../../src/wandb/online/artifacts/artifact-uploader.js";
import { useArtifactByName } from "../../src/wandb/online/artifacts/artifact-use.js";
import { md5Base64 } from "../support/protocol-server/server-state.js";
import { artifactFromFiles, tempDir } from "./artifact-fixture.js";
import { recordingTiming } from "./recording-timing.js";

let server: ProtocolServer;
let http: WandbHttpClient;
const dir = tempDir();
const ENTITY = TEST_USER.entity;

beforeEach(async () => {
  server = await startProtocolServer();
  http = new WandbHttpClient({ baseUrl: server.url, apiKey: TEST_USER.apiKey, timing: recordingTiming() });
  await upsertBucket(http, { runId: "producer", project: "p" });
  await upsertBucket(http, { runId: "consumer", project: "p" });
});
afterEach(async () => {
  await server.close();
});

const base = { entity: ENTITY, project: "p", runId: "producer", type: "dataset", name: "raw_df" };

describe("artifact upload", () => {
  it("logs a version with its files, manifest, birth ids, aliases and producer", async () => {
    const progress: ArtifactUploadProgress[] = [];
    const upload = artifactFromFiles(dir, base, { "a.txt": "hello\n", "data/b.txt": "world\n" });
    const logged = await uploadArtifact(http, upload, { onProgress: (p) => progress.push(p) });
    expect(logged).toMatchObject({ versionIndex: 0, deduplicated: false });
    expect(logged.aliases).toEqual(["v0", "latest"]);
    const snapshot = server.state.snapshot();
    expect(snapshot.artifacts[`${ENTITY}/p/raw_df`]).toEqual([
      {
        version: "v0",
        type: "dataset",
        digest: upload.digest,
        aliases: ["v0", "latest"],
        metadata: null,
        files: { "a.txt": "sZRqySSS0jR8YjW00mERhA==", "data/b.txt": "WReFt5RgHiErJg4lklY2/Q==" },
        producer: `${ENTITY}/p/producer`,
        consumers: [],
      },
    ]);
    expect(server.state.blobs.get("sZRqySSS0jR8YjW00mERhA==")!.bytes!.toString()).toBe("hello\n");
    const manifest = JSON.parse(server.state.artifacts.get(logged.id)!.manifest!.bytes!.toString()) as {
      contents: Record<string, { birthArtifactID: string; digest: string; size: number }>;
    };
    expect(manifest.contents["a.txt"]).toEqual({ digest: "sZRqySSS0jR8YjW00mERhA==", size: 6, birthArtifactID: logged.id });
    expect(progress.at(-1)).toEqual({ name: "raw_df", uploadedBytes: 12, totalBytes: 12 });
    expect(server.rejectedDocuments).toEqual([]);
  });

  it("deduplicates an identical version and skips files the server already has", async () => {
    const first = await uploadArtifact(http, artifactFromFiles(dir, base, { "a.txt": "hello\n", "b.txt": "same\n" }));
    const putsBefore = server.requests.filter((r) => r.method === "PUT" && r.path.startsWith("/storage/blobs")).length;
    const again = await uploadArtifact(http, artifactFromFiles(dir, base, { "a.txt": "hello\n", "b.txt": "same\n" }));
    expect(again).toMatchObject({ id: first.id, deduplicated: true, versionIndex: 0 });
    const changed = await uploadArtifact(http, artifactFromFiles(dir, base, { "a.txt": "changed\n", "b.txt": "same\n" }));
    expect(changed.versionIndex).toBe(1);
    const blobPuts = server.requests.filter((r) => r.method === "PUT" && r.path.startsWith("/storage/blobs")).length - putsBefore;
    expect(blobPuts).toBe(1); // only the changed file
    const versions = server.state.snapshot().artifacts[`${ENTITY}/p/raw_df`]!;
    expect(versions.map((v) => v.aliases)).toEqual([["v0"], ["v1", "latest"]]);
    // the unchanged file keeps the birth id of the version that first stored it
    const manifest = JSON.parse(server.state.artifacts.get(changed.id)!.manifest!.bytes!.toString()) as {
      contents: Record<string, { birthArtifactID: string }>;
    };
    expect(manifest.contents["b.txt"]!.birthArtifactID).toBe(first.id);
    expect(manifest.contents["a.txt"]!.birthArtifactID).toBe(changed.id);
  });

  it("records a lineage edge when a run uses name:alias", async () => {
    const logged = await uploadArtifact(http, artifactFromFiles(dir, base, { "a.txt": "x" }));
    await useArtifactByName(http, { entity: ENTITY, project: "p", runId: "consumer" }, "raw_df:v0");
    await useArtifactByName(http, { entity: ENTITY, project: "p", runId: "consumer" }, "raw_df"); // latest, same version
    expect(server.state.consumersOf(logged.id)).toEqual([`${ENTITY}/p/consumer`]);
    await expect(useArtifactByName(http, { entity: ENTITY, project: "p", runId: "consumer" }, "nope:latest")).rejects.toThrow(/does not exist/);
  });

  it("uploads large files in parts and the server assembles the same bytes", async () => {
    const big = Buffer.alloc(300_000);
    for (let i = 0; i < big.length; i++) big[i] = (i * 7919) % 251;
    const upload = artifactFromFiles(dir, { ...base, name: "model", type: "model" }, { "weights.bin": big, "small.txt": "s" });
    await uploadArtifact(http, upload, { multipartThresholdBytes: 100_000, partBytes: 64 * 1024 });
    const blob = server.state.blobs.get(md5Base64(big))!;
    expect(blob.bytes!.equals(big)).toBe(true);
    const parts = server.requests.filter((r) => r.path.startsWith("/storage/parts/"));
    expect(parts).toHaveLength(5);
  });

  it("never sends the API key to upload hosts", async () => {
    await uploadArtifact(http, artifactFromFiles(dir, base, { "a.txt": "k" }));
    const storage = server.requests.filter((r) => r.listener === "storage");
    expect(storage.length).toBeGreaterThan(0);
    for (const request of storage) {
      expect(request.headers.authorization).toBeUndefined();
      expect(JSON.stringify(request.headers)).not.toContain(TEST_USER.apiKey);
    }
    expect(server.requests.filter((r) => r.listener === "api").every((r) => r.headers.authorization !== undefined)).toBe(true);
  });

  const faults: Array<[string, Route, string | undefined, Fault]> = [
    ["500 on createArtifact", "graphql", "CreateArtifact", { kind: "status", status: 500 }],
    ["lost createArtifact response", "graphql", "CreateArtifact", { kind: "lost-response" }],
    ["lost commit response", "graphql", "CommitArtifact", { kind: "lost-response" }],
    ["lost createArtifactFiles response", "graphql", "CreateArtifactFiles", { kind: "lost-response" }],
    ["429 on manifest", "graphql", "CreateArtifactManifest", { kind: "rate-limit", retryAfterSeconds: 3 }],
    ["reset during upload", "upload", undefined, { kind: "reset" }],
    ["lost upload response", "upload", undefined, { kind: "lost-response" }],
    ["500 on upload", "upload", undefined, { kind: "status", status: 503 }],
  ];
  for (const [label, route, operationName, fault] of faults) {
    it(`ends in the same state despite: ${label}`, async () => {
      const files = { "a.txt": "hello\n", "data/b.txt": "world\n" };
      const reference = await startProtocolServer();
      try {
        const refHttp = new WandbHttpClient({ baseUrl: reference.url, apiKey: TEST_USER.apiKey, timing: recordingTiming() });
        await upsertBucket(refHttp, { runId: "producer", project: "p" });
        await uploadArtifact(refHttp, artifactFromFiles(dir, base, files));
        server.faults.inject({ route, ...(operationName ? { operationName } : {}) }, fault);
        await uploadArtifact(http, artifactFromFiles(dir, base, files));
        expect(server.faults.pending).toBe(0);
        expect(server.state.snapshot().artifacts).toEqual(reference.state.snapshot().artifacts);
        expect(server.state.artifacts.size).toBe(1);
      } finally {
        await reference.close();
      }
    });
  }
});

describe("using an exact version", () => {
  it("falls back to the digest when a remembered server id is unknown to the server", async () => {
    const { ArtifactIdCache } = await import("../../src/wandb/online/artifacts/artifact-id-cache.js");
    const { useArtifactVersion } = await import("../../src/wandb/online/artifacts/artifact-use.js");
    const cache = new ArtifactIdCache();
    const upload = artifactFromFiles(dir, base, { "a.txt": "exact" });
    const logged = await uploadArtifact(http, upload);
    cache.remember(server.url, ENTITY, "p", "raw_df", upload.digest, "QXJ0aWZhY3Q6OTk5OQ=="); // stale id
    const used = await useArtifactVersion(http, cache, { entity: ENTITY, project: "p", runId: "consumer" }, upload, {});
    expect(used).toBe(logged.id);
    expect(server.state.consumersOf(logged.id)).toEqual([`${ENTITY}/p/consumer`]);
    expect(cache.lookup(server.url, ENTITY, "p", "raw_df", upload.digest)).toBe(logged.id);
    expect(server.state.snapshot().artifacts[`${ENTITY}/p/raw_df`]).toHaveLength(1);
  });
});

describe("upload details", () => {
  it("keeps at most `concurrency` uploads in flight", async () => {
    const files = Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`f${i}.txt`, `content ${i}`]));
    server.faults.inject({ route: "upload" }, { kind: "slow", delayMs: 50 }, 9);
    const progress: number[] = [];
    await uploadArtifact(http, artifactFromFiles(dir, base, files), { concurrency: 3, batchSize: 4, onProgress: (p) => progress.push(p.uploadedBytes) });
    expect(server.maxConcurrentUploads).toBe(3);
    expect(progress.at(-1)).toBe(Object.values(files).join("").length);
    expect([...progress].sort((a, b) => a - b)).toEqual(progress); // never goes back
  });

  it("reports a storage host refusing a signed URL as an upload problem, not a bad key", async () => {
    const { putToUploadUrl } = await import("../../src/wandb/online/http/signed-upload.js");
    const { WandbUploadError } = await import("../../src/wandb/online/http/api-errors.js");
    server.faults.inject({ route: "upload" }, { kind: "status", status: 403 });
    const error = await putToUploadUrl(http, `${server.storageOrigin}/storage/runs/x/y`, {}, { bytes: Buffer.from("z") }, "upload of y").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WandbUploadError);
    expect((error as Error).message).toContain("refused the signed URL");
    expect((error as Error).message).not.toContain("API key");
  });

  it("never sends the key to signed URLs on the API's own origin, and a 403 there is not a key problem", async () => {
    const { lookUpArtifact } = await import("../../src/wandb/online/artifacts/artifact-lookup.js");
    const { WandbUploadError } = await import("../../src/wandb/online/http/api-errors.js");
    const sameOrigin = await startProtocolServer({ storageLayout: "api-origin" });
    try {
      const client = new WandbHttpClient({ baseUrl: sameOrigin.url, apiKey: TEST_USER.apiKey, timing: recordingTiming() });
      await upsertBucket(client, { runId: "producer", project: "p" });
      const logged = await uploadArtifact(client, artifactFromFiles(dir, base, { "a.txt": "k" }));
      const found = await lookUpArtifact(client, ENTITY, { entity: undefined, project: "p", name: "raw_df", alias: "latest" });
      expect(found?.id).toBe(logged.id); // its manifest came from the signed directUrl
      const storage = sameOrigin.requests.filter((r) => r.listener === "storage");
      expect(storage.map((r) => r.method).sort()).toEqual(["GET", "PUT", "PUT"]);
      expect(storage.every((r) => r.headers.authorization === undefined)).toBe(true);

      sameOrigin.faults.inject({ route: "download" }, { kind: "status", status: 403 });
      const error = await lookUpArtifact(client, ENTITY, { entity: undefined, project: "p", name: "raw_df", alias: "latest" }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(WandbUploadError);
      expect((error as Error).message).toContain("refused the signed URL");
      expect((error as Error).message).not.toContain("API key");
    } finally {
      await sameOrigin.close();
    }
  });

  it("a file to upload that is gone fails at once, naming it; it is not retried like a network problem", async () => {
    const { rmSync } = await import("node:fs");
    const { WandbUploadError } = await import("../../src/wandb/online/http/api-errors.js");
    const timing = recordingTiming();
    const client = new WandbHttpClient({ baseUrl: server.url, apiKey: TEST_USER.apiKey, timing });
    const upload = artifactFromFiles(dir, base, { "a.txt": "gone soon\n" });
    const missing = upload.entries[0]!.localPath!;
    rmSync(missing);
    const error = await uploadArtifact(client, upload).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WandbUploadError);
    expect((error as Error).message).toContain(`reading the body failed: ENOENT: no such file or directory, open '${missing}'`);
    expect((error as Error).message).toContain("not retried");
    expect(timing.sleeps).toEqual([]);
    expect(server.requests.filter((r) => r.method === "PUT").length).toBeLessThanOrEqual(1);
  });

  it("uploads empty files and non-ASCII paths", async () => {
    const upload = artifactFromFiles(dir, base, { "empty.bin": "", "données/été.txt": "ok" });
    await uploadArtifact(http, upload);
    const [version] = server.state.snapshot().artifacts[`${ENTITY}/p/raw_df`]!;
    expect(version!.files).toEqual({ "données/été.txt": md5Base64(Buffer.from("ok")), "empty.bin": "1B2M2Y8AsgTpgAmY7PhCfg==" });
    expect(server.state.blobs.get("1B2M2Y8AsgTpgAmY7PhCfg==")!.size).toBe(0);
  });
});

describe("multipart sizing", () => {
  it("uses 100 MiB parts from 2 GiB, larger parts (4 KiB-aligned) beyond 10 000 parts", async () => {
    const { MULTIPART_THRESHOLD_BYTES, partSizeFor } = await import("../../src/wandb/online/artifacts/multipart-upload.js");
    expect(MULTIPART_THRESHOLD_BYTES).toBe(2 * 1024 ** 3);
    expect(partSizeFor(3 * 1024 ** 3)).toBe(100 * 1024 ** 2);
    const huge = 2 * 1024 ** 4; // 2 TiB would need 20 972 parts of 100 MiB
    const size = partSizeFor(huge);
    expect(size % 4096).toBe(0);
    expect(Math.ceil(huge / size)).toBeLessThanOrEqual(10_000);
    expect(size).toBeGreaterThan(100 * 1024 ** 2);
  });
});
