/**
 * A cross-process lock: a file holding its owner's pid and host, published complete with an
 * exclusive hard link (so a lock file never exists half-written by this code).
 *
 * A lock is stale when its owner on this host no longer exists (or is this very process, which does
 * not hold it, or a process started at another time than the owner: an earlier process with the same
 * pid left it), or when its owner cannot be read at
 * all (empty or garbled — left by a crash or an older writer) and the file is older than a short
 * grace period. Taking over a stale lock is race-free: the taker first creates a marker named after
 * that lock file's identity (inode and change time) with O_EXCL, so exactly one waiter may remove
 * that file, and nobody else can remove it meanwhile (its owner is gone), so the taker cannot
 * delete a fresh lock by mistake. A marker left by a taker killed mid-takeover expires after the
 * same grace period.
 */
import { randomUUID } from "node:crypto";
import { link, open, readFile, stat, unlink, writeFile } from "node:fs/promises";
import os from "node:os";
import { isLaterProcess, OWN_START_MS } from "./process-start.js";

/** Raised when a lock stays held by a live process for longer than the timeout. */
export class LockTimeoutError extends Error {
  constructor(lockPath: string, owner: string) {
    super(`Timed out waiting for lock ${lockPath} (held by ${owner}). If that process is gone, delete the file.`);
    this.name = "LockTimeoutError";
  }
}

/** How `withLockFile` waits. */
export interface LockOptions {
  /** Give up after this long (default 120 s). `Infinity` waits as long as a live owner holds it. */
  timeoutMs?: number;
  /** An owner-less lock file older than this is stale (default 5 s). */
  staleGraceMs?: number;
  /** Called once, with the holder's description, when the lock is found held. */
  onWait?: (owner: string) => void;
  /** Injectable time (for the timeout) and sleep. */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

interface Owner {
  pid?: unknown;
  host?: unknown;
  token?: unknown;
  started?: unknown;
}

/**
 * Tokens of the locks this process holds (or is creating). A lock file naming this process's pid
 * and host but none of these tokens was left by an earlier process that had the same pid — common in
 * containers, where a restarted command often gets the same pid (even 1) — and is stale.
 */
const heldTokens: Set<string> = processWide("wbflow.lockFile.heldTokens");

/**
 * A set shared by every copy of this module in the process (notebook code may load the package
 * through another module instance than the kernel's): one copy must not take another's lock for stale.
 */
function processWide(name: string): Set<string> {
  const holder = globalThis as { [key: symbol]: Set<string> | undefined };
  return (holder[Symbol.for(name)] ??= new Set<string>());
}

interface Held {
  owner: string;
  stale: boolean;
  /** Inode and change time: which lock file this is, so a takeover never removes a newer one. */
  identity: string;
}

const errno = (error: unknown) => (error as NodeJS.ErrnoException).code;

function processIsGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return errno(error) === "ESRCH";
  }
}

/** Looks at the lock file as it is now; undefined when it was released meanwhile. */
async function inspect(lockPath: string, graceMs: number): Promise<Held | undefined> {
  let info;
  let text;
  try {
    info = await stat(lockPath, { bigint: true });
    text = await readFile(lockPath, "utf8");
  } catch (error) {
    if (errno(error) === "ENOENT") return undefined;
    throw error;
  }
  const identity = `${info.ino}-${info.ctimeNs}`;
  let owner: Owner | undefined;
  try {
    owner = JSON.parse(text) as Owner;
  } catch {
    owner = undefined;
  }
  if (owner === null || typeof owner !== "object" || typeof owner.pid !== "number" || typeof owner.host !== "string") {
    const old = Date.now() - Number(info.mtimeMs) > graceMs;
    return { owner: "an unknown process (the lock file names no owner)", stale: old, identity };
  }
  const sameHost = owner.host === os.hostname();
  const earlierSelf = sameHost && owner.pid === process.pid && !(typeof owner.token === "string" && heldTokens.has(owner.token));
  const stale = sameHost && (earlierSelf || processIsGone(owner.pid) || isLaterProcess(owner.pid, owner.started));
  return { owner: `process ${owner.pid} on ${owner.host}`, stale, identity };
}

/**
 * Creates the lock with its owner already inside; false when it is held. `token` is registered as
 * held before the file appears, so no other caller in this process takes it for an earlier process's.
 */
async function tryCreate(lockPath: string, token: string): Promise<boolean> {
  const temp = `${lockPath}.${randomUUID()}.tmp`;
  const started = OWN_START_MS !== undefined ? { started: OWN_START_MS } : {};
  await writeFile(temp, JSON.stringify({ pid: process.pid, host: os.hostname(), token, ...started }));
  heldTokens.add(token);
  let created = false;
  try {
    await link(temp, lockPath);
    created = true;
  } catch (error) {
    if (errno(error) !== "EEXIST") throw error;
  } finally {
    if (!created) heldTokens.delete(token);
    await unlink(temp);
  }
  return created;
}

/** Removes the stale lock file `identity` names, if this caller wins the right to; true when it did. */
async function takeOver(lockPath: string, identity: string, graceMs: number): Promise<boolean> {
  const marker = `${lockPath}.takeover-${identity}`;
  try {
    await (await open(marker, "wx")).close();
  } catch (error) {
    if (errno(error) !== "EEXIST") throw error;
    // Another waiter is removing it; a marker older than the grace period belongs to a killed taker.
    const age = await stat(marker).then((s) => Date.now() - s.mtimeMs, () => 0);
    if (age > graceMs) await unlink(marker).catch(() => undefined);
    return false;
  }
  try {
    const current = await stat(lockPath, { bigint: true }).catch(() => undefined);
    if (current && `${current.ino}-${current.ctimeNs}` === identity) await unlink(lockPath);
    return true;
  } finally {
    await unlink(marker);
  }
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Runs `work` while holding the lock file `lockPath`. A number is the timeout in ms. */
export async function withLockFile<T>(lockPath: string, work: () => Promise<T>, options: number | LockOptions = {}): Promise<T> {
  const opts: LockOptions = typeof options === "number" ? { timeoutMs: options } : options;
  const { timeoutMs = 120_000, staleGraceMs = 5_000, onWait, now = Date.now, sleep = realSleep } = opts;
  const started = now();
  let delay = 1;
  let announced = false;
  const token = randomUUID();
  while (!(await tryCreate(lockPath, token))) {
    const held = await inspect(lockPath, staleGraceMs);
    if (held === undefined) continue;
    if (held.stale && (await takeOver(lockPath, held.identity, staleGraceMs))) continue;
    if (!announced) onWait?.(held.owner);
    announced = true;
    if (now() - started > timeoutMs) throw new LockTimeoutError(lockPath, held.owner);
    await sleep(delay);
    delay = Math.min(delay * 2, 50);
  }
  try {
    return await work();
  } finally {
    await unlink(lockPath);
    heldTokens.delete(token);
  }
}
