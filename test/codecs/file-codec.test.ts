import { createHash } from "node:crypto";
import { chmod, mkdir, mkdtemp, readFile, readdir, rm, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { codecFor, FilePath } from "../../src/codecs/index.js";
import { fileCodec } from "../../src/codecs/files/file-codec.js";
import { sourceOf } from "./codec-helpers.js";

let workDir: string;

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), "wbflow-file-codec-"));
  process.env.WBFLOW_FILES_DIR = join(workDir, "materialized");
});
afterAll(async () => {
  delete process.env.WBFLOW_FILES_DIR;
  await rm(workDir, { recursive: true, force: true });
});

async function makeFolder(name: string, mtime: Date): Promise<string> {
  const folder = join(workDir, name, "dataset");
  await mkdir(join(folder, "images", "nested"), { recursive: true });
  await writeFile(join(folder, "labels.csv"), "id,label\n1,cat\n");
  await writeFile(join(folder, "images", "b.bin"), Buffer.alloc(3000, 7));
  await writeFile(join(folder, "images", "nested", "a.txt"), "deep");
  await writeFile(join(folder, "run.sh"), "#!/bin/sh\necho hi\n");
  await chmod(join(folder, "run.sh"), 0o755);
  for (const file of ["labels.csv", "images/b.bin", "images/nested/a.txt", "run.sh"]) {
    await utimes(join(folder, file), mtime, mtime);
  }
  return folder;
}

async function encodedSha(path: FilePath | URL): Promise<{ sha: string; bytes: Uint8Array }> {
  const source = await sourceOf(await fileCodec.encode(path));
  const bytes = await source.bytes();
  return { sha: createHash("sha256").update(bytes).digest("hex"), bytes };
}

async function listTree(root: string, prefix = ""): Promise<string[]> {
  const out: string[] = [];
  for (const entry of (await readdir(root, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const relative = `${prefix}${entry.name}`;
    if (entry.isDirectory()) out.push(`${relative}/`, ...(await listTree(join(root, entry.name), `${relative}/`)));
    else out.push(`${relative}=${await readFile(join(root, entry.name), "utf8")}`);
  }
  return out;
}

describe("file codec", () => {
  it("handles FilePath and file: URLs only", () => {
    expect(codecFor(new FilePath("/tmp/x"))?.id).toBe("file");
    expect(codecFor(new URL("file:///tmp/x"))?.id).toBe("file");
    expect(codecFor(new URL("https://example.com/x"))?.id).not.toBe("file");
  });

  it("archives a folder deterministically: same content, other place and times, same bytes", async () => {
    const first = await makeFolder("one", new Date("2020-01-01"));
    const second = await makeFolder("two", new Date("2023-06-01"));
    const a = await encodedSha(new FilePath(first));
    const b = await encodedSha(pathToFileURL(second));
    expect(a.sha).toBe(b.sha);
    await writeFile(join(second, "labels.csv"), "id,label\n1,dog\n");
    expect((await encodedSha(new FilePath(second))).sha).not.toBe(a.sha);
  });

  it("restores a folder's files, subfolders and executable bits", async () => {
    const folder = await makeFolder("restore", new Date());
    const source = await sourceOf(await fileCodec.encode(new FilePath(folder)), "restore-key");
    const back = await fileCodec.decode(source);
    expect(back).toBeInstanceOf(FilePath);
    expect(back.path.endsWith("dataset")).toBe(true);
    expect(back.path.startsWith(join(workDir, "materialized"))).toBe(true);
    expect(await listTree(back.path)).toEqual(await listTree(folder));
    const { stat } = await import("node:fs/promises");
    expect((await stat(join(back.path, "run.sh"))).mode & 0o111).not.toBe(0);
    // Decoding the same content again reuses the unpacked copy.
    expect((await fileCodec.decode(source)).path).toBe(back.path);
  });

  it("restores a single file under its own name", async () => {
    const file = join(workDir, "model.bin");
    await writeFile(file, Buffer.from([0, 1, 2, 3, 254, 255]));
    const back = await fileCodec.decode(await sourceOf(await fileCodec.encode(new FilePath(file)), "single-file"));
    expect(back.path.endsWith("model.bin")).toBe(true);
    expect(await readFile(back.path)).toEqual(await readFile(file));
  });

  it("names the missing path when the file does not exist", async () => {
    await expect(fileCodec.encode(new FilePath(join(workDir, "nope.csv")))).rejects.toThrow(/nope\.csv: no such file or folder/);
  });
});
