/**
 * Manifest entry paths checked on the way in, not only on the way out: a manifest read back from a
 * registry file, a `.wandb` log or a server may have been written by someone else, and an entry like
 * `../../x` would make `download()` write outside its folder.
 */
import path from "node:path";
import type { ManifestV1Json } from "./artifact-digest.js";
import { ArtifactValidationError, validateEntryPath } from "./artifact-validation.js";

/** Raised when a manifest read back names a file outside the artifact's folder. */
export class UnsafeManifestPathError extends Error {
  constructor(artifact: string, entryPath: string, source: string) {
    super(
      `Artifact ${artifact} lists the file ${JSON.stringify(entryPath)}, which would be written outside the download folder; ` +
        `nothing was written. Its manifest (${source}) is damaged or was not written by W&B: do not use it, and log the artifact again from its source.`,
    );
    this.name = "UnsafeManifestPathError";
  }
}

/** Describes the first entry path that is not a safe relative path, or undefined when all are. */
export function checkManifestPaths(manifest: ManifestV1Json): string | undefined {
  for (const entryPath of Object.keys(manifest.contents)) {
    if (!isSafeEntryPath(entryPath)) return `manifest entry ${JSON.stringify(entryPath)} is not a relative path inside the artifact`;
  }
  return undefined;
}

/** True for a relative POSIX path with no `.`/`..`/empty segments, no backslash and no NUL. */
export function isSafeEntryPath(entryPath: string): boolean {
  if (entryPath.includes("\\") || entryPath.includes("\0")) return false;
  try {
    return validateEntryPath(entryPath) === entryPath;
  } catch (error) {
    if (error instanceof ArtifactValidationError) return false;
    throw error;
  }
}

/**
 * Where `entryPath` goes under `root`, refusing any path that is unsafe or that resolves outside
 * `root` (checked again after joining, so a future change to the path rules cannot open a hole).
 */
export function destinationInside(root: string, entryPath: string, artifact: string, source: string): string {
  const resolvedRoot = path.resolve(root);
  const destination = path.resolve(resolvedRoot, ...entryPath.split("/"));
  if (!isSafeEntryPath(entryPath) || !destination.startsWith(resolvedRoot + path.sep)) {
    throw new UnsafeManifestPathError(artifact, entryPath, source);
  }
  return destination;
}
