/**
 * Staging copies: the files an `artifact` record's manifest names as `local_path`. W&B's own
 * `wandb sync` treats them as its writer's staging files — after uploading it `chmod 0600`s and
 * deletes each one — so they must never be files the object store or the registry needs.
 *
 * Each stored object gets one staging copy per W&B directory (`staging/.copies/<md5 hex>`), made
 * with copy-on-write (`COPYFILE_FICLONE`: a reflink on btrfs, XFS, APFS; a full copy elsewhere), and
 * each record's `local_path` is a hard link to that copy. Re-logging unchanged content therefore
 * costs a link, not a copy; a deleted or chmod'ed link changes nothing in the store.
 */
import { randomUUID } from "node:crypto";
import { constants, existsSync, mkdirSync } from "node:fs";
import { chmod, copyFile, link, rename, unlink } from "node:fs/promises";
import path from "node:path";
import { base64DigestToHex } from "../artifacts/file-digest.js";

/** The staging copies under `stagingRoot` (`<wandb_dir>/artifacts/staging`). */
export class StagingCopies {
  private readonly copiesRoot: string;

  constructor(private readonly stagingRoot: string) {
    // A dot name: record folders are named by client ids, which never start with a dot.
    this.copiesRoot = path.join(stagingRoot, ".copies");
  }

  /**
   * Makes `<stagingRoot>/<clientId>/<entryPath>` a path to the bytes of `objectPath` (digest
   * `digest`) that W&B's sync may chmod and delete, and returns it.
   */
  async stage(objectPath: string, digest: string, clientId: string, entryPath: string): Promise<string> {
    const target = path.join(this.stagingRoot, clientId, ...entryPath.split("/"));
    mkdirSync(path.dirname(target), { recursive: true });
    const copy = await this.copyOf(objectPath, digest);
    try {
      await link(copy, target);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "EEXIST") return target;
      if (code !== "EPERM" && code !== "ENOTSUP") throw error; // a file system without hard links
      await copyFile(copy, target, constants.COPYFILE_FICLONE);
    }
    return target;
  }

  /** The staging copy of an object, made on first use (copy-on-write where the file system can). */
  private async copyOf(objectPath: string, digest: string): Promise<string> {
    const hex = base64DigestToHex(digest);
    const copy = path.join(this.copiesRoot, hex.slice(0, 2), hex.slice(2));
    if (existsSync(copy)) return copy;
    mkdirSync(path.dirname(copy), { recursive: true });
    const temp = `${copy}.${randomUUID()}.tmp`;
    try {
      await copyFile(objectPath, temp, constants.COPYFILE_FICLONE);
      await chmod(temp, 0o644); // the store's objects are 0444; staging files are the run's own
      await rename(temp, copy);
    } catch (error) {
      await unlink(temp).catch(() => undefined);
      throw error;
    }
    return copy;
  }
}
