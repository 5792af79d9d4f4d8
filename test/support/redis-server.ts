/**
 * A real Redis for tests: Debian's `redis-server` (installed by .ci/run), started on a random free
 * loopback port with its own temporary folder, and stopped (or restarted, for the Redis-restart
 * fault) by the test. Nothing is shared between tests or with a Redis the machine may run.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createConnection, createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";

/** Options of {@link startRedisServer}. */
export interface RedisServerOptions {
  /** Require this password (`requirepass`), so tests can check the URL's password is never printed. */
  password?: string;
  /**
   * Keep the data across a restart with an append-only file fsynced on every write (what a Redis
   * for BullMQ should run with). Without it a restart empties the server.
   */
  persistent?: boolean;
}

/** A running (or stopped) redis-server owned by one test. */
export interface RedisServer {
  /** `redis://[:password@]127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  /** The server's working folder (its append-only file lives here). */
  readonly dir: string;
  /** Shuts the server down (SIGTERM: it writes its data and exits) and waits until it has exited. */
  stop(): Promise<void>;
  /** Starts it again on the same port and folder, and waits until it answers PING. */
  start(): Promise<void>;
  /** Stops it for good and removes its folder. */
  close(): Promise<void>;
}

/** Starts a redis-server on a free loopback port and waits until it answers. */
export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServer> {
  const port = await freePort();
  const dir = mkdtempSync(path.join(tmpdir(), "wbflow-redis-"));
  const args = [
    "--port", String(port),
    "--bind", "127.0.0.1",
    "--dir", dir,
    "--save", "",
    "--daemonize", "no",
    "--loglevel", "warning",
    ...(options.persistent ? ["--appendonly", "yes", "--appendfsync", "always"] : ["--appendonly", "no"]),
    ...(options.password === undefined ? [] : ["--requirepass", options.password]),
  ];
  let child: ChildProcess | undefined;
  let output = "";
  const killOnExit = (): void => {
    child?.kill("SIGKILL");
  };
  process.on("exit", killOnExit);

  const start = async (): Promise<void> => {
    if (child) return;
    output = "";
    const started = spawn("redis-server", args, { stdio: ["ignore", "pipe", "pipe"] });
    child = started;
    started.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    started.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    started.on("exit", () => {
      if (child === started) child = undefined;
    });
    await waitUntilAnswering(port, options.password, () => (child === started ? undefined : output));
  };
  const stop = async (): Promise<void> => {
    const running = child;
    if (!running) return;
    const exited = new Promise<void>((resolve) => running.once("exit", () => resolve()));
    running.kill("SIGTERM");
    await exited;
  };
  await start();
  const auth = options.password === undefined ? "" : `:${encodeURIComponent(options.password)}@`;
  return {
    url: `redis://${auth}127.0.0.1:${port}`,
    port,
    dir,
    stop,
    start,
    async close() {
      await stop();
      process.off("exit", killOnExit);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A port the OS says is free on 127.0.0.1 right now. */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

/** Polls with a raw PING until the server replies; fails with its output if it exited first. */
async function waitUntilAnswering(port: number, password: string | undefined, exitedOutput: () => string | undefined): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const dead = exitedOutput();
    if (dead !== undefined) throw new Error(`redis-server on port ${port} exited before answering:\n${dead}`);
    if (await pings(port, password)) return;
    if (Date.now() > deadline) throw new Error(`redis-server on port ${port} did not answer PING within 20 s`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

function pings(port: number, password: string | undefined): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: "127.0.0.1" });
    let reply = "";
    socket.setTimeout(1000, () => socket.destroy());
    socket.on("connect", () => socket.write(`${password === undefined ? "" : `AUTH ${JSON.stringify(password)}\r\n`}PING\r\n`));
    socket.on("data", (chunk) => {
      reply += chunk.toString();
      if (reply.includes("+PONG")) {
        socket.end();
        resolve(true);
      }
    });
    socket.on("error", () => resolve(false));
    socket.on("close", () => resolve(reply.includes("+PONG")));
  });
}
