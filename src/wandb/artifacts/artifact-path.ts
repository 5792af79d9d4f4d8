/** Parsing `[entity/][project/]name[:alias]`, the way W&B names artifact versions. */
import { ArtifactValidationError, validateArtifactName } from "./artifact-validation.js";

/** The parts of an artifact version's name `[entity/][project/]name[:alias]`. */
export interface ArtifactPath {
  entity?: string;
  project?: string;
  name: string;
  /** `latest` when not given. */
  alias: string;
}

/**
 * Parses `[entity/][project/]name[:alias]` (alias `latest` when absent).
 * @throws ArtifactValidationError when the text has more than three parts, a bad name or an empty alias.
 */
export function parseArtifactPath(text: string): ArtifactPath {
  const parts = text.split("/");
  if (parts.length > 3) throw new ArtifactValidationError("path", text, "use [entity/][project/]name[:alias]");
  const last = parts.pop()!;
  const colon = last.indexOf(":");
  const name = validateArtifactName(colon < 0 ? last : last.slice(0, colon));
  const alias = colon < 0 ? "latest" : last.slice(colon + 1);
  if (alias === "") throw new ArtifactValidationError("path", text, "an alias or version follows ':' (e.g. name:latest, name:v0)");
  const project = parts.pop();
  const entity = parts.pop();
  return { name, alias, ...(project ? { project } : {}), ...(entity ? { entity } : {}) };
}
