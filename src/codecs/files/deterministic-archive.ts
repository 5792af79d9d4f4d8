import { lstat, readdir } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { Readable } from "node:stream";
import { create as createTar } from "tar";

/** Where a file or folder sits, and every entry a tar of it holds, in a fixed order. */
export interface ArchivePlan {
  /** Directory the entry names are relative to. */
  cwd: string;
  /** Entry names relative to `cwd`, sorted, parents before children. */
  entries: string[];
  /** Total bytes of regular files (for messages and progress). */
  contentBytes: number;
}

/**
 * Lists a file, or a folder and everything below it, in a deterministic order, so the same content
 * always archives to the same bytes (and so the same content hash).
 */
export async function planArchive(path: string): Promise<ArchivePlan> {
  const cwd = dirname(path);
  const root = basename(path);
  const entries: string[] = [];
  let contentBytes = 0;
  const visit = async (relative: string): Promise<void> => {
    const stats = await lstat(join(cwd, relative));
    entries.push(relative);
    if (stats.isFile()) contentBytes += stats.size;
    if (!stats.isDirectory()) return;
    const names = (await readdir(join(cwd, relative))).sort();
    for (const name of names) await visit(`${relative}/${name}`);
  };
  await visit(root);
  return { cwd, entries, contentBytes };
}

/**
 * Streams a tar of the planned entries: no owner names or ids, a fixed mtime, entries in plan order.
 * Symlinks are stored as links, not followed.
 */
export function streamArchive(plan: ArchivePlan): Readable {
  const pack = createTar(
    // maxReadSize: read files 1 MiB at a time (default 16 MiB) so a big file never sits in memory.
    { cwd: plan.cwd, portable: true, mtime: new Date(0), noDirRecurse: true, follow: false, maxReadSize: 2 ** 20 },
    plan.entries,
  );
  return Readable.from(pack as AsyncIterable<Buffer>);
}
