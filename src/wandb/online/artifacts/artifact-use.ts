/**
 * Lineage input edges ("run used artifact version"), from the two records that express them:
 * an `artifact` record logged for use (`useAfterCommit`: the exact version, by digest) and a
 * `use_artifact` record naming `[entity/][project/]name:alias` (resolved through the server).
 */
import { parseArtifactPath } from "../../artifacts/artifact-path.js";
import { WandbGraphQLError, WandbNotFoundError } from "../http/api-errors.js";
import { artifactByName, useArtifactById } from "./artifact-operations.js";
import type { ArtifactIdCache } from "./artifact-id-cache.js";
import { uploadArtifact, type ArtifactUpload, type ArtifactUploadOptions } from "./artifact-uploader.js";
import type { WandbHttpClient } from "../http/http-client.js";

/** The consuming run. */
export interface ConsumerRun {
  entity: string;
  project: string;
  runId: string;
}

/**
 * Records that `run` used the version with `artifact.digest`: the id cache first, then the server
 * numbers the local registry learned for that content (`knownNumbers`, each checked by digest),
 * else createArtifact's digest dedup (which uploads the version as user-created if the server lacks
 * it). The dedup only matches the collection's latest version, so without the first two a use of
 * older content uploaded by another process (an earlier sync, a worker) would make a copy of it.
 */
export async function useArtifactVersion(
  http: WandbHttpClient,
  cache: ArtifactIdCache,
  run: ConsumerRun,
  artifact: ArtifactUpload,
  options: ArtifactUploadOptions,
  knownNumbers: () => Promise<number[]> = async () => [],
): Promise<string> {
  const known = cache.lookup(http.baseUrl, artifact.entity, artifact.project, artifact.name, artifact.digest);
  if (known !== undefined) {
    try {
      await useArtifactById(http, {
        entityName: run.entity,
        projectName: run.project,
        runName: run.runId,
        artifactID: known,
        artifactEntityName: artifact.entity,
        artifactProjectName: artifact.project,
      });
      return known;
    } catch (error) {
      // The server no longer knows that id (e.g. the version was deleted): go through the digest.
      if (!(error instanceof WandbGraphQLError)) throw error;
      cache.forget(http.baseUrl, artifact.entity, artifact.project, artifact.name, artifact.digest);
    }
  }
  const found = await versionByKnownNumber(http, artifact, await knownNumbers());
  if (found !== undefined) {
    await useArtifactById(http, {
      entityName: run.entity,
      projectName: run.project,
      runName: run.runId,
      artifactID: found,
      artifactEntityName: artifact.entity,
      artifactProjectName: artifact.project,
    });
    cache.remember(http.baseUrl, artifact.entity, artifact.project, artifact.name, artifact.digest, found);
    return found;
  }
  const logged = await uploadArtifact(http, { ...artifact, runId: null, useAfterCommit: { runId: run.runId } }, options);
  cache.remember(http.baseUrl, artifact.entity, artifact.project, artifact.name, artifact.digest, logged.id);
  return logged.id;
}

/** The server id of `name:vN` for the first of `numbers` whose version has the artifact's digest. */
async function versionByKnownNumber(http: WandbHttpClient, artifact: ArtifactUpload, numbers: number[]): Promise<string | undefined> {
  for (const number of numbers) {
    let found;
    try {
      found = await artifactByName(http, { entityName: artifact.entity, projectName: artifact.project, name: `${artifact.name}:v${number}` });
    } catch (error) {
      if (error instanceof WandbGraphQLError || error instanceof WandbNotFoundError) continue; // e.g. deleted since
      throw error;
    }
    if (found && found.digest === artifact.digest && found.state === "COMMITTED") return found.id;
  }
  return undefined;
}

/** `[entity/][project/]name[:alias]` with the run's entity and project as defaults; `name` is `name:alias`. */
export function resolveArtifactPath(path: string, defaults: { entity: string; project: string }) {
  const parsed = parseArtifactPath(path);
  return { entity: parsed.entity ?? defaults.entity, project: parsed.project ?? defaults.project, name: `${parsed.name}:${parsed.alias}` };
}

/** Resolves `[entity/][project/]name:alias` through the server and records the use. */
export async function useArtifactByName(http: WandbHttpClient, run: ConsumerRun, path: string): Promise<string> {
  const { entity, project, name } = resolveArtifactPath(path, run);
  const found = await artifactByName(http, { entityName: entity, projectName: project, name });
  if (!found) {
    throw new WandbNotFoundError(`Artifact ${entity}/${project}/${name} does not exist on ${http.baseUrl}; log it before using it.`, 404);
  }
  await useArtifactById(http, {
    entityName: run.entity,
    projectName: run.project,
    runName: run.runId,
    artifactID: found.id,
    artifactEntityName: entity,
    artifactProjectName: project,
  });
  return found.id;
}
