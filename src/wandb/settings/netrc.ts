/**
 * Reading and editing `.netrc`, where W&B keeps API keys (reference §1.4): one entry per API host,
 * `machine <host> login user password <key>`. Edits keep every other entry and comment verbatim and
 * replace the file atomically with mode 0600.
 */
import { randomUUID } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { chmod, mkdir, readlink, realpath, rename, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

/** Raised when a .netrc file cannot be parsed. */
export class NetrcSyntaxError extends Error {
  constructor(file: string, problem: string) {
    super(`${file}: ${problem}. Fix or remove that line of the file, then try again.`);
    this.name = "NetrcSyntaxError";
  }
}

/** Raised when the .netrc file exists but cannot be read or replaced (a folder, no permission, …). */
export class NetrcFileError extends Error {
  constructor(file: string, action: "read" | "written", cause: unknown) {
    const reason = (cause as NodeJS.ErrnoException).code ?? (cause as Error).message;
    super(`${file} cannot be ${action} (${reason}). Check that it is a file you may read and write, or move it aside, then try again.`);
    this.name = "NetrcFileError";
  }
}

/**
 * The .netrc W&B uses: `$NETRC` if set; else `~/.netrc` if it exists; else `~/_netrc` if it exists;
 * else `~/.netrc` (`~/_netrc` on Windows).
 */
export function netrcPath(env: NodeJS.ProcessEnv = process.env, home: string = os.homedir()): string {
  if (env["NETRC"]) return env["NETRC"];
  const dot = path.join(home, ".netrc");
  const underscore = path.join(home, "_netrc");
  if (existsSync(dot)) return dot;
  if (existsSync(underscore)) return underscore;
  return process.platform === "win32" ? underscore : dot;
}

/** The machine name W&B files keys under: the host[:port] of the API base URL. */
export function netrcMachine(baseUrl: string): string {
  return new URL(baseUrl).host;
}

interface Token {
  text: string;
  start: number;
  end: number;
}

function tokenize(content: string, file: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < content.length) {
    const ch = content[i]!;
    if (/\s/.test(ch)) {
      i++;
    } else if (ch === "#") {
      while (i < content.length && content[i] !== "\n") i++;
    } else if (ch === '"') {
      const start = i++;
      let text = "";
      while (i < content.length && content[i] !== '"') {
        if (content[i] === "\\" && i + 1 < content.length) i++;
        text += content[i++];
      }
      if (i >= content.length) throw new NetrcSyntaxError(file, `unterminated quoted value at character ${start}`);
      tokens.push({ text, start, end: ++i });
    } else {
      const start = i;
      while (i < content.length && !/\s/.test(content[i]!)) i++;
      tokens.push({ text: content.slice(start, i), start, end: i });
    }
  }
  return tokens;
}

/** One `machine` (or `default`) entry and the span of text it occupies. */
interface NetrcEntry {
  machine: string | undefined; // undefined for `default`
  login?: string;
  password?: string;
  start: number;
  end: number;
}

function parseEntries(content: string, file: string): NetrcEntry[] {
  const tokens = tokenize(content, file);
  const entries: NetrcEntry[] = [];
  let current: NetrcEntry | undefined;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (token.text === "machine" || token.text === "default" || token.text === "macdef") {
      if (current) entries.push({ ...current, end: token.start });
      current = undefined;
      if (token.text === "machine") {
        const name = tokens[++i];
        if (!name) throw new NetrcSyntaxError(file, "'machine' without a host name at the end of the file");
        current = { machine: name.text, start: token.start, end: content.length };
      } else if (token.text === "default") {
        current = { machine: undefined, start: token.start, end: content.length };
      } else {
        // A macro body runs to the next blank line; skip its tokens.
        const bodyEnd = content.indexOf("\n\n", token.end);
        const stop = bodyEnd < 0 ? content.length : bodyEnd;
        while (i + 1 < tokens.length && tokens[i + 1]!.start < stop) i++;
      }
      continue;
    }
    if (!current) continue;
    const value = tokens[i + 1];
    if (token.text === "login" || token.text === "password" || token.text === "account") {
      if (!value) throw new NetrcSyntaxError(file, `'${token.text}' without a value at the end of the file`);
      if (token.text === "login") current.login = value.text;
      if (token.text === "password") current.password = value.text;
      i++;
    }
  }
  if (current) entries.push(current);
  return entries;
}

/** Read synchronously: every `init()` looks for a key, and a thread-pool round trip costs more than reading a small file. */
async function readIfExists(file: string): Promise<string> {
  try {
    return readFileSync(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return "";
    throw new NetrcFileError(file, "read", error);
  }
}

/** The file a write should replace: a symlinked .netrc is written through its link, which stays. */
async function linkTarget(file: string): Promise<string> {
  try {
    return await realpath(file);
  } catch {
    // No file yet, or a link to a file that does not exist yet: write where the link points.
    const target = await readlink(file).catch(() => undefined);
    return target === undefined ? file : path.resolve(path.dirname(file), target);
  }
}

/** The password stored for `machine` in `file`, or undefined if there is no such entry (or no file). */
export async function readNetrcPassword(machine: string, file: string = netrcPath()): Promise<string | undefined> {
  const entries = parseEntries(await readIfExists(file), file);
  return entries.find((e) => e.machine === machine)?.password;
}

function quote(value: string): string {
  return /^[^\s"'#\\]+$/.test(value) ? value : `"${value.replace(/(["\\])/g, "\\$1")}"`;
}

async function replaceEntry(file: string, machine: string, newEntry: string | undefined): Promise<void> {
  const content = await readIfExists(file);
  const entries = parseEntries(content, file).filter((e) => e.machine === machine);
  let kept = content;
  for (const entry of [...entries].reverse()) kept = kept.slice(0, entry.start) + kept.slice(entry.end);
  if (newEntry !== undefined) {
    if (kept.length > 0 && !kept.endsWith("\n")) kept += "\n";
    kept += newEntry;
  }
  const target = await linkTarget(file);
  const temp = `${target}.${process.pid}.${randomUUID()}.tmp`;
  try {
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(temp, kept, { mode: 0o600 });
    await chmod(temp, 0o600); // the umask may have narrowed the mode; make it exactly 0600
    await rename(temp, target);
  } catch (error) {
    throw new NetrcFileError(file, "written", error);
  }
}

/**
 * Stores `password` for `machine` (replacing any entry for that machine, keeping all others), with
 * login `user` as W&B writes it. The file is created if needed and always ends up with mode 0600.
 */
export async function writeNetrcEntry(machine: string, password: string, file: string = netrcPath()): Promise<void> {
  await replaceEntry(file, machine, `machine ${quote(machine)}\n  login user\n  password ${quote(password)}\n`);
}

/** Removes the entry for `machine` (used by logout); other entries stay. */
export async function removeNetrcEntry(machine: string, file: string = netrcPath()): Promise<void> {
  await replaceEntry(file, machine, undefined);
}
