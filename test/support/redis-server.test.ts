/** The test Redis helper: a real redis-server that BullMQ can use, restartable mid-test. */
import { Queue, Worker, type Job } from "bullmq";
import { existsSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { startRedisServer, type RedisServer } from "./redis-server.js";

const servers: RedisServer[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});

async function started(options?: Parameters<typeof startRedisServer>[0]): Promise<RedisServer> {
  const server = await startRedisServer(options);
  servers.push(server);
  return server;
}

describe("redis-server test helper", () => {
  it("runs a BullMQ job through a real redis-server on a random loopback port", async () => {
    const redis = await started();
    expect(redis.url).toMatch(/^redis:\/\/127\.0\.0\.1:\d+$/);
    const connection = { url: redis.url, maxRetriesPerRequest: null };
    const queue = new Queue("helper-check", { connection });
    const worker = new Worker("helper-check", async (job: Job<{ n: number }>) => job.data.n * 2, { connection });
    try {
      const done = new Promise<number>((resolve) => worker.on("completed", (_job, value: number) => resolve(value)));
      await queue.add("double", { n: 21 });
      expect(await done).toBe(42);
    } finally {
      await worker.close();
      await queue.close();
    }
  });

  it("keeps queued jobs across stop and start when persistent, and stops the process for real", async () => {
    const redis = await started({ persistent: true, password: "s3cret pass" });
    expect(redis.url).toBe(`redis://:s3cret%20pass@127.0.0.1:${redis.port}`);
    const connection = { url: redis.url, maxRetriesPerRequest: null };
    const queue = new Queue("restart-check", { connection });
    await queue.add("kept", { n: 1 });
    await queue.close();

    await redis.stop();
    const refused = new Queue("restart-check", {
      connection: { ...connection, enableOfflineQueue: false, retryStrategy: () => null },
    });
    refused.on("error", () => {});
    await expect(refused.getWaitingCount()).rejects.toThrow();
    await refused.close().catch(() => {});

    await redis.start();
    expect(existsSync(redis.dir)).toBe(true);
    const again = new Queue("restart-check", { connection });
    try {
      expect(await again.getWaitingCount()).toBe(1);
    } finally {
      await again.close();
    }
  });
});
