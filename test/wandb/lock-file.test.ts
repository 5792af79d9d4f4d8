import { execFile } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
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
});
