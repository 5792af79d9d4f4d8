import { execFile, spawn } from "node:child_process";
import { existsSync, readFileSync, readdirSync, utimesSync, writeFileSync } from "node:fs";
import { createInterface } from "node:readline";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { LockTimeoutError, withLockFile } from "../../src/wandb/offline/lock-file.js";
import { tempDir } from "./helpers/fixtures.js";

const exec = promisify(execFile);

describe("lock file", () => {
  it("takes over a lock left by a process that no longer exists", async () => {
    const lock = path.join(tempDir(), ".lock");
    const { stdout } = await exec(process.execPath, ["-e", "console.log(process.pid)"]);
    writeFileSync(lock, JSON.stringify({ pid: Number(stdout.trim()), host: os.hostname() }));
    expect(await withLockFile(lock, async () => "ran")).toBe("ran");
    expect(existsSync(lock)).toBe(false);
  });

  it("takes over a lock left by an earlier process that had this process's pid (a restarted container)", async () => {
    const lock = path.join(tempDir(), ".lock");
    for (const left of [{ pid: process.pid, host: os.hostname() }, { pid: process.pid, host: os.hostname(), token: "an earlier run's" }]) {
      writeFileSync(lock, JSON.stringify(left));
      expect(await withLockFile(lock, async () => "ran", { timeoutMs: 2_000 })).toBe("ran");
      expect(existsSync(lock)).toBe(false);
    }
  });

  it("takes over a lock whose pid now belongs to a later process (pid reuse), not one its live owner holds", async () => {
    const { processStartMs } = await import("../../src/wandb/offline/process-start.js");
    const sleeper = spawn(process.execPath, ["-e", "setTimeout(() => {}, 60_000)"], { stdio: "ignore" });
    try {
      await new Promise((resolve) => sleeper.once("spawn", resolve));
      const started = processStartMs(sleeper.pid!);
      if (started === undefined) return; // no /proc here: the pid alone decides, as before
      const lock = path.join(tempDir(), ".lock");
      // The same live pid, recorded by a process that started an hour earlier: a reused pid.
      writeFileSync(lock, JSON.stringify({ pid: sleeper.pid, host: os.hostname(), started: started - 3_600_000 }));
      expect(await withLockFile(lock, async () => "ran", { timeoutMs: 2_000 })).toBe("ran");
      // Recorded by the live process itself: it is waited for.
      writeFileSync(lock, JSON.stringify({ pid: sleeper.pid, host: os.hostname(), started }));
      await expect(withLockFile(lock, async () => "never", { timeoutMs: 200 })).rejects.toThrow(LockTimeoutError);
    } finally {
      sleeper.kill();
    }
  });

  it("a lock held through another copy of this module in the process is waited for, not taken for stale", async () => {
    const secondCopy = new URL("../../src/wandb/offline/lock-file.ts?second-copy", import.meta.url).pathname + "?second-copy";
    const other = (await import(/* @vite-ignore */ secondCopy)) as typeof import("../../src/wandb/offline/lock-file.js");
    expect(other.withLockFile).not.toBe(withLockFile); // really a second module instance
    const lock = path.join(tempDir(), ".lock");
    let release!: () => void;
    let entered!: () => void;
    const inside = new Promise<void>((resolve) => (entered = resolve));
    const holding = other.withLockFile(lock, () => {
      entered();
      return new Promise<void>((resolve) => (release = resolve));
    });
    await inside;
    await expect(withLockFile(lock, async () => "taken", { timeoutMs: 300 })).rejects.toThrow(LockTimeoutError);
    release();
    await holding;
  });

  it("waits for a live holder, serialises work, and times out with the holder named", async () => {
    const lock = path.join(tempDir(), ".lock");
    const order: string[] = [];
    let releaseFirst!: () => void;
    const first = withLockFile(lock, () => new Promise<void>((resolve) => {
      order.push("first in");
      releaseFirst = () => {
        order.push("first out");
        resolve();
      };
    }));
    await new Promise<void>((resolve) => setImmediate(resolve));
    while (!order.includes("first in")) await new Promise<void>((resolve) => setImmediate(resolve));
    const second = withLockFile(lock, async () => void order.push("second"));
    await expect(withLockFile(lock, async () => "never", 20)).rejects.toThrow(LockTimeoutError);
    releaseFirst();
    await Promise.all([first, second]);
    expect(order).toEqual(["first in", "first out", "second"]);
  });

  describe("a lock file whose owner cannot be read (issue 13 item 7)", () => {
    // Lock files a minute old. The racing takers below use a 30 s grace: with a short one, a taker the loaded
    // machine paused for a second mid-takeover would see its marker taken for a killed taker's.
    const aged = (lock: string, content = "") => {
      writeFileSync(lock, content);
      const past = new Date(Date.now() - 60_000);
      utimesSync(lock, past, past);
    };

    it("is stale after the grace period: an empty lock left by a crash no longer blocks", async () => {
      for (const content of ["", "{\"pi", "null"]) {
        const lock = path.join(tempDir(), ".lock");
        aged(lock, content);
        expect(await withLockFile(lock, async () => "ran", { timeoutMs: 5_000, staleGraceMs: 1_000 })).toBe("ran");
        expect(existsSync(lock)).toBe(false);
      }
    });

    it("is respected within the grace period (its writer may still be filling it in)", async () => {
      const lock = path.join(tempDir(), ".lock");
      writeFileSync(lock, "");
      await expect(withLockFile(lock, async () => "ran", { timeoutMs: 0, staleGraceMs: 60_000 })).rejects.toThrow(/names no owner/);
    });

    it("is taken over by exactly one of many waiters at once (in one process)", async () => {
      const dir = tempDir();
      const lock = path.join(dir, ".lock");
      aged(lock);
      let inside = 0;
      let most = 0;
      const ran = await Promise.all(
        Array.from({ length: 25 }, (_, i) =>
          withLockFile(lock, async () => {
            most = Math.max(most, ++inside);
            for (let k = 0; k < 3; k++) await new Promise((resolve) => setImmediate(resolve));
            inside--;
            return i;
          }, { timeoutMs: 30_000, staleGraceMs: 30_000 }),
        ),
      );
      expect(ran).toHaveLength(25);
      expect(most).toBe(1);
      expect(readdirSync(dir)).toEqual([]);
    });

    it("is taken over race-free by four processes at once: no update is lost", async () => {
      const dir = tempDir();
      const lock = path.join(dir, ".lock");
      const counter = path.join(dir, "counter");
      writeFileSync(counter, "0");
      aged(lock);
      const script = new URL("./helpers/lock-counter-child.ts", import.meta.url).pathname;
      const children = Array.from({ length: 4 }, () => {
        const child = spawn(process.execPath, ["--import", "tsx", script, lock, counter, "15"], { stdio: ["pipe", "pipe", "inherit"] });
        return { child, lines: createInterface({ input: child.stdout })[Symbol.asyncIterator](), exited: new Promise((r) => child.on("close", r)) };
      });
      for (const c of children) expect((await c.lines.next()).value).toBe("ready");
      for (const c of children) c.child.stdin.end("go\n");
      for (const c of children) expect(await c.exited).toBe(0);
      expect(Number(readFileSync(counter, "utf8"))).toBe(60);
      expect(readdirSync(dir).sort()).toEqual(["counter"]);
    }, 120_000);
  });
});
