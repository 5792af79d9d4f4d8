/** Where the local artifact data lives inside a W&B directory. */
import path from "node:path";

export interface ArtifactLocations {
  /** Content-addressed immutable copies. */
  objects: string;
  /** Collections, versions, aliases, lineage. */
  registry: string;
  /** Staging copies (never store files) that `wandb sync` may upload, chmod and delete. */
  staging: string;
}

export function artifactLocations(wandbDir: string): ArtifactLocations {
  const root = path.join(wandbDir, "artifacts");
  return { objects: path.join(root, "obj"), registry: path.join(root, "registry"), staging: path.join(root, "staging") };
}
