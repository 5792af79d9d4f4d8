/**
 * After an upload, the local registry learns the number the W&B server gave each version, so
 * `name:vN` means the same content in the notebook, in `Api` and on W&B. Offline numbers are only
 * this machine's commit order until then (see docs/wandb-client.md).
 */
import { artifactLocations } from "../offline/artifact-locations.js";
import { ArtifactRegistry } from "../offline/artifact-registry.js";

/** A sender callback that records server numbers in the registry of `wandbDir`. */
export function learnServerNumbers(wandbDir: string): (version: { project: string; name: string; digest: string; serverNumber: number }) => Promise<void> {
  const registry = new ArtifactRegistry(artifactLocations(wandbDir).registry);
  return (version) => registry.learnServerNumber(version.project, version.name, version.digest, version.serverNumber);
}

/**
 * The numbers the W&B server gave the content `digest` of `project/name`, as the registry of `wandbDir`
 * learned them (newest first; none when nothing was learned or the file is unreadable). A sender uses
 * them to find the producer's version of a used content it did not upload itself.
 */
export function knownServerNumbers(wandbDir: string): (project: string, name: string, digest: string) => Promise<number[]> {
  const registry = new ArtifactRegistry(artifactLocations(wandbDir).registry);
  return async (project, name, digest) => {
    try {
      const known = await registry.serverVersions(project, name);
      const newest = known.byDigest[digest];
      return newest === undefined ? [] : [newest, ...[...(known.earlier[digest] ?? [])].reverse()];
    } catch {
      return []; // a damaged file only costs this shortcut; the use still goes through the digest
    }
  };
}
