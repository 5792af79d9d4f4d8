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
