/**
 * `wbflow worker` and the runner's job dispatcher against a real redis-server, with real worker
 * processes: the version refusal, the password never printed, SIGTERM, and Redis losing the jobs.
 */
import path from "node:path";
import { Queue } from "bullmq";
import { afterEach, describe, expect, it } from "vitest";
import { parseWorkerArgs } from "../../src/cli/flows/worker.js";
import { storeRunCode } from "../../src/flow/datastore/code-package/code-package.js";
import { WBFLOW_VERSION } from "../../src/flow/datastore/code-package/wbflow-version.js";
import { Datastore } from "../../src/flow/datastore/datastore.js";
import type { TaskRequest } from "../../src/flow/executors/task-request.js";
import { JOB_FORMAT, type ClusterJobData } from "../../src/flow/executors/bullmq/job-data.js";
import { ClusterUnavailableError, JobDispatcher } from "../../src/flow/executors/bullmq/job-dispatcher.js";
import { maskRedisUrl, redactRedisSecrets } from "../../src/flow/executors/bullmq/redis-url.js";
import { flowProject, killWorkers, startWorker, type WorkerProcess } from "../support/cluster.js";
import { startRedisServer, type RedisServer } from "../support/redis-server.js";

const PASSWORD = "hunter2-s3cr3t";
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function redis(options?: Parameters<typeof startRedisServer>[0]): Promise<RedisServer> {
  const server = await startRedisServer(options);
  cleanups.push(() => server.close());
  return server;
}

function worker(cwd: string, args: string[], env?: NodeJS.ProcessEnv): WorkerProcess {
  const started = startWorker(cwd, args, env);
  cleanups.push(() => killWorkers([started]));
  return started;
}

function dispatcher(url: string, options: Partial<ConstructorParameters<typeof JobDispatcher>[0]> = {}): JobDispatcher {
  const created = new JobDispatcher({ redisUrl: url, queue: "wbflow", checkIntervalMs: 200, ...options });
  cleanups.push(() => created.close());
  return created;
}

/** Resolves once Redis holds the job (the dispatcher's add was answered), however slow the machine. */
async function untilQueued(url: string, jobId: string): Promise<void> {
  const queue = new Queue("wbflow", { connection: { url, maxRetriesPerRequest: null } });
  try {
    for (const deadline = Date.now() + 60_000; !(await queue.getJob(jobId)); ) {
      if (Date.now() > deadline) throw new Error(`job ${jobId} never reached Redis`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  } finally {
    await queue.close();
  }
}

/** A stored run with a code package, and the job data of one of its tasks. */
async function packagedRun(): Promise<{ project: string; data: ClusterJobData }> {
  const project = flowProject({
    "flow.ts": `import { FlowSpec, step } from "wbflow";\nexport class TinyFlow extends FlowSpec {\n  @step start() { this.next(this.end); }\n  @step end() {}\n}\n`,
  });
  const datastore = new Datastore({ root: path.join(project, "store") });
  await datastore.createRun({ flowName: "TinyFlow", runId: "7", createdAt: 1, userName: "u", tags: [], systemTags: [] });
  const code = await storeRunCode(datastore, "TinyFlow", "7", path.join(project, "flow.ts"));
  return {
    project,
    data: { format: JOB_FORMAT, flowName: "TinyFlow", runId: "7", pathspec: "TinyFlow/7/start/1", datastoreRoot: datastore.root, code, request: {} as TaskRequest },
  };
}

describe("wbflow worker", () => {
  it("refuses a task of a run started with another wbflow version, with a message the runner gets, and never prints the password", async () => {
    const server = await redis({ password: PASSWORD });
    const { project, data } = await packagedRun();
    const running = worker(project, ["--concurrency", "2"], { WBFLOW_REDIS_URL: server.url });
    await running.waitFor(/taking tasks from queue 'wbflow'/);
    expect(running.output()).toContain(`worker (pid ${running.child.pid}) taking tasks from queue 'wbflow' at redis://***@127.0.0.1:${server.port}, 2 at a time`);

    const jobs = dispatcher(server.url);
    await jobs.ready();
    const refused = jobs.submit("old-version", { ...data, code: { ...data.code, wbflowVersion: "0.0.1-old" } });
    await expect(refused).rejects.toThrow(
      `Task TinyFlow/7/start/1 was started with wbflow 0.0.1-old, but this worker has wbflow ${WBFLOW_VERSION}. The worker refuses the task`,
    );
    await running.waitFor(/\[TinyFlow\/7\/start\/1\] refused or failed: .*npm i wbflow@0\.0\.1-old/);

    running.child.kill("SIGTERM");
    expect(await running.exited).toBe(0);
    expect(running.output()).toMatch(/SIGTERM: taking no more tasks; finishing 0 running task\(s\)\.[\s\S]*Stopped\./);
    expect(running.output()).not.toContain(PASSWORD);
  });

  it("masks the password of a URL given on the command line in its messages", async () => {
    const server = await redis({ password: PASSWORD });
    const { project } = await packagedRun();
    const running = worker(project, ["--redis", server.url, "--queue", "other"]);
    await running.waitFor(/taking tasks from queue 'other'/);
    running.child.kill("SIGTERM");
    await running.exited;
    expect(running.output()).toContain("redis://***@127.0.0.1");
    expect(running.output()).not.toContain(PASSWORD);

    const wrong = worker(project, ["--redis", `redis://:wrong-${PASSWORD}@127.0.0.1:${server.port}`]);
    await wrong.waitFor(/Redis connection problem \(reconnecting\)/);
    expect(wrong.output()).not.toContain(PASSWORD);
  });

  it("parses its options and refuses bad ones with the URL masked", () => {
    const parsed = parseWorkerArgs(["--redis", "redis://h:6379", "--concurrency", "3", "--queue", "q1", "--lock-duration=2000"], {});
    expect(parsed).toMatchObject({ redisUrl: "redis://h:6379", concurrency: 3, queue: "q1", lockDurationMs: 2000 });
    expect(parseWorkerArgs([], { WBFLOW_REDIS_URL: "redis://e:1" }).redisUrl).toBe("redis://e:1");
    expect(() => parseWorkerArgs([], {})).toThrow("Give the Redis URL with --redis URL or $WBFLOW_REDIS_URL.");
    expect(() => parseWorkerArgs(["--redis", "http://:pw@h"], {})).toThrow("http://***@h is not a Redis URL");
    expect(() => parseWorkerArgs(["--redis", "redis://h", "--concurrency", "0"], {})).toThrow("--concurrency needs a whole number >= 1; got 0.");
    expect(() => parseWorkerArgs(["--redis", "redis://h", "--queue", "a:b"], {})).toThrow(/--queue must be/);
  });

  it("masks passwords in URLs and in messages that quote them", () => {
    expect(maskRedisUrl("redis://:p%40ss@h:6379/2")).toBe("redis://***@h:6379/2");
    expect(maskRedisUrl("redis://user:pw@h:1")).toBe("redis://user:***@h:1");
    expect(maskRedisUrl("redis://h:1")).toBe("redis://h:1");
    // A raw '@' or '/' in the password, or a mistyped scheme, must not leak any of it.
    expect(maskRedisUrl("redis://:p@ss/w@h:1")).toBe("redis://***@h:1");
    expect(maskRedisUrl("redis//:pw-secret@h:1")).toBe("redis//:***@h:1");
    expect(maskRedisUrl("redis:/user:pw-secret@h:1")).toBe("redis:***@h:1");
    const url = "redis://:p%40ss@h:6379";
    expect(redactRedisSecrets(`failed at ${url}: WRONGPASS for p@ss and p%40ss`, url)).toBe("failed at redis://***@h:6379: WRONGPASS for *** and ***");
  });
});

describe("job dispatcher", () => {
  it("fails a pending task with a clear message when Redis restarts without persistence and loses its job", async () => {
    const server = await redis();
    const { data } = await packagedRun();
    const jobs = dispatcher(server.url);
    await jobs.ready();
    const pending = jobs.submit("lost-job", data); // no worker: it stays waiting
    await untilQueued(server.url, "lost-job");
    await server.stop();
    await server.start();
    const error = await pending.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ClusterUnavailableError);
    expect((error as Error).message).toBe(
      `Task TinyFlow/7/start/1: Redis at ${server.url} no longer holds the task's job (was it restarted without persistence?). ` +
        `Tasks that finished are saved; when Redis and the workers are back, continue with resume.`,
    );
  });

  it("fails pending tasks when Redis stays away longer than the limit", async () => {
    const server = await redis({ password: PASSWORD });
    const { data } = await packagedRun();
    const jobs = dispatcher(server.url, { redisDownLimitMs: 1000 });
    await jobs.ready();
    const pending = jobs.submit("stranded", data);
    await untilQueued(server.url, "stranded");
    await server.stop();
    const error = await pending.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ClusterUnavailableError);
    expect((error as Error).message).toContain(`Redis at redis://***@127.0.0.1:${server.port} has been unreachable for over 1 s`);
    expect((error as Error).message).not.toContain(PASSWORD);
  });
});
