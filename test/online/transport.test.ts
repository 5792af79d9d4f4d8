import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startProtocolServer, TEST_USER, type ProtocolServer } from "../support/protocol-server/protocol-server.js";
import { WandbHttpClient } from "../../src/wandb/online/http/http-client.js";
import { WandbAuthError, WandbGraphQLError, WandbNotFoundError, WandbUnreachableError } from "../../src/wandb/online/http/api-errors.js";
import { queryViewer, verifyApiKey } from "../../src/wandb/online/viewer.js";
import { upsertBucket } from "../../src/wandb/online/run/run-operations.js";
import { graphqlRequest } from "../../src/wandb/online/http/graphql-client.js";
import { isWithinBaseUrl } from "../../src/wandb/online/http/credential-scope.js";
import { GRAPHQL_RETRY_POLICY, retryDelayMs } from "../../src/wandb/online/http/retry-policy.js";
import { recordingTiming } from "./recording-timing.js";

let server: ProtocolServer;
beforeEach(async () => {
  server = await startProtocolServer();
});
afterEach(async () => {
  await server.close();
});

function client(apiKey = TEST_USER.apiKey, timing = recordingTiming()) {
  return { http: new WandbHttpClient({ baseUrl: server.url, apiKey, timing }), timing };
}

describe("viewer and login verification", () => {
  it("returns the user and default entity of a valid key", async () => {
    const viewer = await verifyApiKey(server.url, TEST_USER.apiKey, recordingTiming());
    expect(viewer).toMatchObject({ username: "tester", entity: "tester-entity", email: "tester@example.com" });
  });

  it("fails fast with WandbAuthError on a bad key, without retrying", async () => {
    const { http, timing } = client("b".repeat(40));
    const error = await queryViewer(http).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WandbAuthError);
    expect(String((error as Error).message)).toContain("wbflow login --relogin");
    expect(String((error as Error).message)).not.toContain("b".repeat(40));
    expect(timing.sleeps).toEqual([]);
    expect(server.requests.filter((r) => r.path === "/graphql")).toHaveLength(1);
  });
});

describe("login against a host that does not answer", () => {
  it("gives up after three tries instead of W&B's twenty", async () => {
    server.faults.inject({ route: "graphql", operationName: "Viewer" }, { kind: "reset" }, 10);
    const timing = recordingTiming();
    await expect(verifyApiKey(server.url, TEST_USER.apiKey, timing)).rejects.toBeInstanceOf(WandbUnreachableError);
    expect(timing.sleeps).toHaveLength(2);
  });
});

describe("retries", () => {
  it("retries 500s, resets and 429 (honouring Retry-After) and then succeeds", async () => {
    server.faults.inject({ route: "graphql", operationName: "Viewer" }, { kind: "status", status: 500 });
    server.faults.inject({ route: "graphql", operationName: "Viewer" }, { kind: "reset" });
    server.faults.inject({ route: "graphql", operationName: "Viewer" }, { kind: "rate-limit", retryAfterSeconds: 7 });
    const { http, timing } = client();
    await expect(queryViewer(http)).resolves.toMatchObject({ entity: "tester-entity" });
    expect(server.faults.pending).toBe(0);
    // backoff 2 s (+12.5 % jitter), 4 s (+12.5 %), then the server's 7 s
    expect(timing.sleeps).toEqual([2250, 4500, 7000]);
  });

  it("does not retry 404 and says what to check", async () => {
    const { http } = client();
    const error = await http
      .send({ method: "POST", url: "/files/e/p/nope/file_stream", body: Buffer.from("{}"), what: "file_stream" }, GRAPHQL_RETRY_POLICY)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WandbNotFoundError);
    expect((error as Error).message).toContain("entity and project");
  });

  it("gives up with WandbUnreachableError when the server stays down", async () => {
    const { http } = client();
    server.faults.inject({ route: "graphql" }, { kind: "status", status: 503 }, 100);
    const policy = { ...GRAPHQL_RETRY_POLICY, maxAttempts: 3 };
    const error = await graphqlRequest(http, "query Viewer { viewer { id } }", {}, policy).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WandbUnreachableError);
    expect((error as Error).message).toContain("3 attempts");
  });

  it("times out a slow response and retries it", async () => {
    const http = new WandbHttpClient({ baseUrl: server.url, apiKey: TEST_USER.apiKey, timing: recordingTiming(), attemptTimeoutMs: 200 });
    server.faults.inject({ route: "graphql", operationName: "Viewer" }, { kind: "slow", delayMs: 1_000 });
    await expect(queryViewer(http)).resolves.toMatchObject({ username: "tester" });
  });

  it("computes backoff with jitter, capped at the maximum", () => {
    expect(retryDelayMs(GRAPHQL_RETRY_POLICY, 1, () => 0, undefined, 0)).toBe(2000);
    expect(retryDelayMs(GRAPHQL_RETRY_POLICY, 3, () => 0.999, undefined, 0)).toBe(9998);
    expect(retryDelayMs(GRAPHQL_RETRY_POLICY, 10, () => 0, undefined, 0)).toBe(60_000);
    expect(retryDelayMs(GRAPHQL_RETRY_POLICY, 1, () => 0, "Wed, 21 Oct 2015 07:28:10 GMT", Date.parse("Wed, 21 Oct 2015 07:28:00 GMT"))).toBe(10_000);
  });
});

describe("a base URL that is not a W&B API", () => {
  it("says so instead of failing on JSON", async () => {
    const { createServer } = await import("node:http");
    const html = createServer((_req, res) => res.end("<html>login page</html>"));
    await new Promise<void>((resolve) => html.listen(0, "127.0.0.1", resolve));
    const address = html.address() as { port: number };
    try {
      const error = await verifyApiKey(`http://127.0.0.1:${address.port}`, TEST_USER.apiKey, recordingTiming()).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(WandbGraphQLError);
      expect((error as Error).message).toContain("is not JSON");
      expect((error as Error).message).toContain("W&B API URL");
    } finally {
      html.close();
    }
  });
});

describe("a server that echoes the request", () => {
  it("never puts the key (clear or base64 in the Authorization header) into error messages", async () => {
    const { createServer } = await import("node:http");
    let answer: (headers: string) => { status: number; body: string } = () => ({ status: 200, body: "" });
    const echo = createServer((req, res) => {
      const { status, body } = answer(JSON.stringify(req.headers));
      res.writeHead(status).end(body);
    });
    await new Promise<void>((resolve) => echo.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(echo.address() as { port: number }).port}`;
    const basic = Buffer.from(`api:${TEST_USER.apiKey}`).toString("base64");
    const secrets = [TEST_USER.apiKey, basic];
    const messages: string[] = [];
    try {
      answer = (headers) => ({ status: 400, body: `bad request; you sent ${headers} and key=${TEST_USER.apiKey}` }); // an error page
      messages.push(String(await verifyApiKey(url, TEST_USER.apiKey, recordingTiming()).catch((e: Error) => e.message)));
      answer = (headers) => ({ status: 200, body: `<pre>${basic} ${headers}</pre>` }); // not JSON
      messages.push(String(await verifyApiKey(url, TEST_USER.apiKey, recordingTiming()).catch((e: Error) => e.message)));
      answer = (headers) => ({ status: 200, body: JSON.stringify({ errors: [{ message: `denied for ${headers}` }] }) }); // GraphQL errors
      messages.push(String(await verifyApiKey(url, TEST_USER.apiKey, recordingTiming()).catch((e: Error) => e.message)));
      answer = () => ({ status: 400, body: `${"x".repeat(290)}${TEST_USER.apiKey}` }); // the key across the excerpt's end
      messages.push(String(await verifyApiKey(url, TEST_USER.apiKey, recordingTiming()).catch((e: Error) => e.message)));
    } finally {
      echo.close();
    }
    expect(messages.map((m) => m.includes("***"))).toEqual([true, true, true, true]); // the echo reached the messages, redacted
    for (const message of messages) for (const secret of secrets) expect(message).not.toContain(secret.slice(0, 10));
  });
});

describe("credential scope", () => {
  it("sends the key only to the base URL's origin and path", () => {
    expect(isWithinBaseUrl("https://api.wandb.ai/graphql", "https://api.wandb.ai")).toBe(true);
    expect(isWithinBaseUrl("https://api.wandb.ai:443/files/x", "https://api.wandb.ai/")).toBe(true);
    expect(isWithinBaseUrl("http://api.wandb.ai/graphql", "https://api.wandb.ai")).toBe(false);
    expect(isWithinBaseUrl("https://storage.googleapis.com/bucket/x", "https://api.wandb.ai")).toBe(false);
    expect(isWithinBaseUrl("https://host:8443/wandbx/graphql", "https://host:8443/wandb")).toBe(false);
    expect(isWithinBaseUrl("https://host:8443/wandb/graphql", "https://host:8443/wandb")).toBe(true);
  });
});

describe("schema validation by the test server", () => {
  it("refuses a document that does not match the schema", async () => {
    const { http } = client();
    const error = await graphqlRequest(http, "query Bad { viewer { noSuchField } }", {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WandbGraphQLError);
    expect(server.rejectedDocuments).toHaveLength(1);
    expect(server.rejectedDocuments[0]!.errors.join()).toContain("noSuchField");
  });

  it("refuses variables of the wrong type", async () => {
    const { http } = client();
    const doc = "mutation UpsertBucket($tags: [String!]) { upsertBucket(input: {tags: $tags}) { inserted } }";
    await expect(graphqlRequest(http, doc, { tags: [1, { a: 2 }] })).rejects.toBeInstanceOf(WandbGraphQLError);
    expect(server.rejectedDocuments).toHaveLength(1);
  });
});

describe("upsertBucket", () => {
  it("creates a run with wrapped config and resolves the default entity", async () => {
    const { http } = client();
    const run = await upsertBucket(http, {
      runId: "abc12345",
      project: "proj",
      group: "Flow/1",
      jobType: "train",
      displayName: "train-1",
      tags: ["a"],
      notes: "n",
      config: { lr: 0.1, model: { layers: 3 } },
    });
    expect(run).toMatchObject({ runId: "abc12345", entity: "tester-entity", project: "proj", inserted: true, historyLineCount: 0 });
    const stored = server.state.findRun("tester-entity", "proj", "abc12345")!;
    expect(stored.config).toEqual({ lr: { value: 0.1 }, model: { value: { layers: 3 } } });
    expect(stored).toMatchObject({ groupName: "Flow/1", jobType: "train", displayName: "train-1", tags: ["a"], notes: "n" });
    const again = await upsertBucket(http, { runId: "abc12345", project: "proj", config: { lr: 0.2 } });
    expect(again.inserted).toBe(false);
    expect(server.state.runs).toHaveLength(1);
  });

  it("sends NaN and ±Infinity in the config as themselves (extended JSON, as wandb-core does), not null", async () => {
    const { http } = client();
    await upsertBucket(http, { runId: "nan00001", project: "proj", config: { lr: Number.NaN, high: Infinity, low: -Infinity, nested: { x: [1, Number.NaN] } } });
    const stored = server.state.findRun("tester-entity", "proj", "nan00001")!;
    expect(stored.config).toEqual({ lr: { value: Number.NaN }, high: { value: Infinity }, low: { value: -Infinity }, nested: { value: { x: [1, Number.NaN] } } });
  });

  it("is not duplicated when the response is lost and the request retried", async () => {
    const { http } = client();
    server.faults.inject({ route: "graphql", operationName: "UpsertBucket" }, { kind: "lost-response" });
    await upsertBucket(http, { runId: "r1", project: "p" });
    expect(server.state.runs).toHaveLength(1);
    expect(server.state.runs[0]!.upserts).toBe(2);
  });
});
