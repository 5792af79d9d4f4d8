/**
 * Resolves `[entity/]project/name:alias` to a committed version on the server, with its manifest
 * (read from the manifest file's download URL), for `run.useArtifact` online.
 */
import type { ManifestV1Json } from "../../artifacts/artifact-digest.js";
import { checkManifestPaths } from "../../artifacts/manifest-paths.js";
import type { RemoteArtifactReference, RemoteArtifactVersion } from "../../artifacts/remote-artifact-version.js";
import { WandbApiError } from "../http/api-errors.js";
import { graphqlRequest } from "../http/graphql-client.js";
import type { WandbHttpClient } from "../http/http-client.js";
import { UPLOAD_RETRY_POLICY } from "../http/retry-policy.js";

const ARTIFACT_WITH_MANIFEST = `query ArtifactWithManifest($entityName: String!, $projectName: String!, $name: String!) {
  project(name: $projectName, entityName: $entityName) {
    artifact(name: $name) {
      id digest state versionIndex size aliases { alias } artifactType { name } artifactSequence { name }
      currentManifest { file { directUrl } }
    }
  }
}`;

interface ArtifactWithManifest {
  id: string;
  digest: string;
  state: "PENDING" | "COMMITTED" | "DELETED";
  versionIndex: number | null;
  size: number;
  aliases: Array<{ alias: string }>;
  artifactType: { name: string } | null;
  artifactSequence: { name: string };
  currentManifest: { file: { directUrl: string } } | null;
}

/**
 * The committed version `reference` names in `entity`'s project, or undefined when there is none
 * (a pending or deleted version counts as none: it cannot be used).
 */
export async function lookUpArtifact(
  http: WandbHttpClient,
  entity: string,
  reference: RemoteArtifactReference,
): Promise<RemoteArtifactVersion | undefined> {
  const data = await graphqlRequest<{ project: { artifact: ArtifactWithManifest | null } | null }>(http, ARTIFACT_WITH_MANIFEST, {
    entityName: entity,
    projectName: reference.project,
    name: `${reference.name}:${reference.alias}`,
  });
  const found = data.project?.artifact;
  if (!found || found.state !== "COMMITTED" || found.versionIndex === null) return undefined;
  const where = `${entity}/${reference.project}/${reference.name}:v${found.versionIndex}`;
  if (!found.currentManifest) throw new WandbApiError(`Artifact ${where} on ${http.baseUrl} has no manifest; it cannot be used.`);
  const manifest = await downloadManifest(http, found.currentManifest.file.directUrl, where);
  const name = found.artifactSequence.name;
  return {
    source: "server",
    id: found.id,
    name,
    type: found.artifactType?.name ?? "unspecified",
    entity,
    project: reference.project,
    version: `v${found.versionIndex}`,
    versionIndex: found.versionIndex,
    digest: found.digest,
    size: found.size,
    aliases: found.aliases.map((a) => a.alias),
    manifest,
    qualifiedName: `${name}:v${found.versionIndex}`,
  };
}

async function downloadManifest(http: WandbHttpClient, url: string, where: string): Promise<ManifestV1Json> {
  const response = await http.send({ method: "GET", url, what: `manifest of artifact ${where}`, signedUrl: true }, UPLOAD_RETRY_POLICY);
  try {
    const manifest = JSON.parse(response.body.toString("utf8")) as ManifestV1Json;
    if (manifest.version !== 1 || typeof manifest.contents !== "object") throw new Error(`manifest version ${String(manifest.version)}`);
    const unsafe = checkManifestPaths(manifest);
    if (unsafe !== undefined) throw new Error(unsafe);
    return manifest;
  } catch (error) {
    throw new WandbApiError(`The manifest of artifact ${where} (${url}) is not a W&B v1 manifest: ${(error as Error).message}.`, response.status);
  }
}
