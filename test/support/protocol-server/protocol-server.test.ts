/** The protocol test server's own rules: what it refuses is what a real server would refuse. */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startProtocolServer, TEST_USER, type ProtocolServer } from "./protocol-server.js";
import { WandbHttpClient } from "../../../src/wandb/online/http/http-client.js";
import { basicAuthHeader } from "../../../src/wandb/online/http/credential-scope.js";
import { WandbApiError, WandbGraphQLError } from "../../../src/wandb/online/http/api-errors.js";
import { graphqlRequest } from "../../../src/wandb/online/http/graphql-client.js";
import { upsertBucket } from "../../../src/wandb/online/run/run-operations.js";
import { commitArtifact, createArtifact } from "../../../src/wandb/online/artifacts/artifact-operations.js";
import { putToUploadUrl } from "../../../src/wandb/online/http/signed-upload.js";
import { uploadArtifact } from "../../../src/wandb/online/artifacts/artifact-uploader.js";
import { artifactFromFiles, tempDir } from "../../online/artifact-fixture.js";
import { recordingTiming } from "../../online/recording-timing.js";

let server: ProtocolServer;
let http: WandbHttpClient;
beforeEach(async () => {
  server = await startProtocolServer();
  http = new WandbHttpClient({ baseUrl: server.url, apiKey: TEST_USER.apiKey, timing: recordingTiming() });
  await upsertBucket(http, { runId: "r1", project: "p" });
});
afterEach(async () => {
  await server.close();
});

const variables = (name: string, type: string, digest: string) => ({
  entityName: TEST_USER.entity,
  projectName: "p",
  runName: "r1",
  artifactTypeName: type,
  artifactCollectionName: name,
  digest,
  description: null,
  metadata: null,
  aliases: [{ artifactCollectionName: name, alias: "latest" }],
  clientID: `client-${digest}`,
  sequenceClientID: "seq",
  historyStep: null,
});

describe("protocol test server rules", () => {
  it("refuses a second type for an artifact name", async () => {
    await createArtifact(http, variables("data", "dataset", "d1"));
    await expect(createArtifact(http, variables("data", "model", "d2"))).rejects.toThrow(/already used with type "dataset"/);
  });

  it("refuses to commit a version whose manifest or files were never uploaded", async () => {
    const created = await createArtifact(http, variables("data", "dataset", "d1"));
    await expect(commitArtifact(http, created.id)).rejects.toBeInstanceOf(WandbGraphQLError);
    expect(server.state.artifacts.get(created.id)!.state).toBe("PENDING");
  });

  it("refuses an upload whose bytes do not match Content-MD5, and the client does not retry it", async () => {
    const url = `${server.storageOrigin}/storage/blobs/${encodeURIComponent("sZRqySSS0jR8YjW00mERhA==")}`;
    const error = await putToUploadUrl(http, url, { "content-md5": "sZRqySSS0jR8YjW00mERhA==" }, { bytes: Buffer.from("not hello\n") }, "upload").catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(WandbApiError);
    expect((error as Error).message).toContain("does not match the body's MD5");
    expect(server.requests.filter((r) => r.listener === "storage")).toHaveLength(1);
    expect(server.state.blobs.size).toBe(0);
  });

  it("numbers versions, moves latest and keeps user aliases on the version that got them last", async () => {
    const dir = tempDir();
    const base = { entity: TEST_USER.entity, project: "p", runId: "r1", type: "dataset", name: "data" };
    await uploadArtifact(http, { ...artifactFromFiles(dir, base, { a: "1" }), aliases: ["best"] });
    await uploadArtifact(http, artifactFromFiles(dir, base, { a: "2" }));
    await uploadArtifact(http, { ...artifactFromFiles(dir, base, { a: "3" }), aliases: ["best", "v0"] });
    const versions = server.state.snapshot().artifacts[`${TEST_USER.entity}/p/data`]!;
    expect(versions.map((v) => v.aliases)).toEqual([["v0"], ["v1"], ["v2", "best", "latest"]]);
    expect(server.state.resolveArtifact(TEST_USER.entity, "p", "data:v1")!.versionIndex).toBe(1);
    expect(server.state.resolveArtifact(TEST_USER.entity, "p", "data")!.versionIndex).toBe(2);
  });

  it("numbers versions in the order their commits arrive, whoever created them first (concurrent creators)", async () => {
    const dir = tempDir();
    const base = { entity: TEST_USER.entity, project: "p", type: "dataset", name: "data" };
    // The first commit to arrive is held until the second creator's version is committed (numbered).
    let release!: () => void;
    server.faults.inject({ route: "graphql", operationName: "CommitArtifact" }, { kind: "held", release: new Promise<void>((r) => (release = r)) });
    const first = uploadArtifact(http, artifactFromFiles(dir, { ...base, runId: "r1" }, { a: "first" }));
    while (server.faults.fired.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    const second = await uploadArtifact(http, artifactFromFiles(dir, { ...base, runId: "r2" }, { a: "second" }));
    release();
    const created = await first;
    expect([second.versionIndex, created.versionIndex]).toEqual([0, 1]);
    const versions = server.state.snapshot().artifacts[`${TEST_USER.entity}/p/data`]!;
    expect(versions.map((v) => [v.version, v.producer])).toEqual([
      ["v0", `${TEST_USER.entity}/p/r2`],
      ["v1", `${TEST_USER.entity}/p/r1`],
    ]);
  });

  it("refuses file_stream requests without a key and for runs that do not exist", async () => {
    const anonymous = await fetch(`${server.url}/files/${TEST_USER.entity}/p/r1/file_stream`, { method: "POST", body: "{}" });
    expect(anonymous.status).toBe(401);
    const missing = await http
      .send({ method: "POST", url: `/files/${TEST_USER.entity}/p/nope/file_stream`, body: Buffer.from("{}"), what: "file_stream" }, {
        name: "once",
        maxAttempts: 1,
        minWaitMs: 0,
        maxWaitMs: 0,
        attemptTimeoutMs: 5_000,
        retriesStatus: () => false,
      })
      .catch((e: unknown) => e);
    expect((missing as WandbApiError).status).toBe(404);
  });

  it("serves storage on the API origin in that layout, and refuses credentials on it", async () => {
    const sameOrigin = await startProtocolServer({ storageLayout: "api-origin" });
    try {
      expect(sameOrigin.storageOrigin).toBe(sameOrigin.url);
      const url = `${sameOrigin.url}/storage/runs/x/y`;
      const withKey = await fetch(url, { method: "PUT", body: "z", headers: { authorization: basicAuthHeader(TEST_USER.apiKey) } });
      expect(withKey.status).toBe(403);
      expect(await fetch(url, { method: "PUT", body: "z" }).then((r) => r.status)).toBe(404); // no such run, but not refused
      expect(sameOrigin.requests.map((r) => r.listener)).toEqual(["storage", "storage"]);
    } finally {
      await sameOrigin.close();
    }
  });

  it("rejects documents outside the schema and records them", async () => {
    await expect(graphqlRequest(http, "mutation X { deleteEverything }", {})).rejects.toBeInstanceOf(WandbGraphQLError);
    expect(server.rejectedDocuments.map((d) => d.errors.join())).toEqual([expect.stringContaining("deleteEverything")]);
  });
});
