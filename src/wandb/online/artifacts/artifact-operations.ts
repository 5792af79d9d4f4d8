/** The GraphQL operations of the artifact protocol (reference §4.5, §4.7), typed. */
import { graphqlRequest } from "../http/graphql-client.js";
import type { WandbHttpClient } from "../http/http-client.js";

const ARTIFACT_FIELDS = "id digest state versionIndex aliases { alias } artifactType { name } artifactSequence { id name latestArtifact { id versionIndex } }";

/** An artifact version as the server describes it. */
export interface ServerArtifactInfo {
  id: string;
  digest: string;
  state: "PENDING" | "COMMITTED" | "DELETED";
  versionIndex: number | null;
  aliases: Array<{ alias: string }>;
  artifactType: { name: string } | null;
  artifactSequence: { id: string; name: string; latestArtifact: { id: string; versionIndex: number | null } | null };
}

const CREATE_ARTIFACT = `mutation CreateArtifact(
  $entityName: String!, $projectName: String!, $runName: String, $artifactTypeName: String!,
  $artifactCollectionName: String!, $digest: String!, $description: String, $metadata: JSONString,
  $aliases: [ArtifactAliasInput!], $clientID: ID!, $sequenceClientID: ID!, $historyStep: Int64
) {
  createArtifact(input: {
    entityName: $entityName, projectName: $projectName, runName: $runName,
    artifactTypeName: $artifactTypeName, artifactCollectionName: $artifactCollectionName,
    digest: $digest, digestAlgorithm: MANIFEST_MD5, description: $description, metadata: $metadata,
    aliases: $aliases, clientID: $clientID, sequenceClientID: $sequenceClientID,
    enableDigestDeduplication: true, historyStep: $historyStep
  }) { artifact { ${ARTIFACT_FIELDS} } }
}`;

/** Input of `createArtifact`. */
export interface CreateArtifactVariables {
  entityName: string;
  projectName: string;
  runName: string | null;
  artifactTypeName: string;
  artifactCollectionName: string;
  digest: string;
  description: string | null;
  metadata: string | null;
  aliases: Array<{ artifactCollectionName: string; alias: string }>;
  clientID: string;
  sequenceClientID: string;
  historyStep: number | null;
}

/** Step 1: creates a pending version, or answers an existing one (same client id, or same digest: COMMITTED). */
export async function createArtifact(http: WandbHttpClient, variables: CreateArtifactVariables): Promise<ServerArtifactInfo> {
  const data = await graphqlRequest<{ createArtifact: { artifact: ServerArtifactInfo } }>(
    http,
    CREATE_ARTIFACT,
    variables as unknown as Record<string, unknown>,
  );
  return data.createArtifact.artifact;
}

const CREATE_MANIFEST = `mutation CreateArtifactManifest(
  $artifactID: ID!, $baseArtifactID: ID, $name: String!, $digest: String!, $entityName: String!,
  $projectName: String!, $runName: String!, $includeUpload: Boolean!
) {
  createArtifactManifest(input: {
    artifactID: $artifactID, baseArtifactID: $baseArtifactID, name: $name, digest: $digest,
    entityName: $entityName, projectName: $projectName, runName: $runName, type: FULL
  }) { artifactManifest { id file { id uploadUrl @include(if: $includeUpload) uploadHeaders @include(if: $includeUpload) } } }
}`;

/** The registered manifest and, when asked for, where to upload its file. */
export interface ManifestRegistration {
  id: string;
  file: { id: string; uploadUrl?: string | null; uploadHeaders?: string[] };
}

/** Steps 2 and 7: registers the manifest (empty digest first, then the real one with an upload URL). */
export async function createArtifactManifest(
  http: WandbHttpClient,
  variables: {
    artifactID: string;
    baseArtifactID: string | null;
    name: string;
    digest: string;
    entityName: string;
    projectName: string;
    runName: string;
    includeUpload: boolean;
  },
): Promise<ManifestRegistration> {
  const data = await graphqlRequest<{ createArtifactManifest: { artifactManifest: ManifestRegistration } }>(
    http,
    CREATE_MANIFEST,
    variables,
  );
  return data.createArtifactManifest.artifactManifest;
}

const CREATE_FILES = `mutation CreateArtifactFiles($artifactFiles: [CreateArtifactFileSpecInput!]!, $storageLayout: ArtifactStorageLayout!) {
  createArtifactFiles(input: {artifactFiles: $artifactFiles, storageLayout: $storageLayout}) {
    files { edges { node {
      id name storagePath uploadUrl uploadHeaders artifact { id }
      uploadMultipartUrls { uploadID uploadUrlParts { partNumber uploadUrl } }
    } } }
  }
}`;

/** One file to declare. */
export interface ArtifactFileSpec {
  artifactID: string;
  artifactManifestID: string;
  name: string;
  md5: string;
  uploadPartsInput?: Array<{ partNumber: number; hexMD5: string }>;
}

/** Where (and whether) to upload one declared file. */
export interface ArtifactFileTarget {
  name: string;
  storagePath: string | null;
  /** Null when the server already stores these bytes. */
  uploadUrl: string | null;
  uploadHeaders: string[];
  artifact: { id: string } | null;
  uploadMultipartUrls: { uploadID: string; uploadUrlParts: Array<{ partNumber: number; uploadUrl: string }> } | null;
}

/** Declares files; the answer is in input order. */
export async function createArtifactFiles(http: WandbHttpClient, files: ArtifactFileSpec[]): Promise<ArtifactFileTarget[]> {
  const data = await graphqlRequest<{ createArtifactFiles: { files: { edges: Array<{ node: ArtifactFileTarget }> } } }>(
    http,
    CREATE_FILES,
    { artifactFiles: files, storageLayout: "V2" },
  );
  return data.createArtifactFiles.files.edges.map((e) => e.node);
}

const COMPLETE_MULTIPART = `mutation CompleteMultipartUploadArtifact(
  $completedParts: [UploadPartsInput!]!, $artifactID: ID!, $storagePath: String!, $uploadID: String!
) {
  completeMultipartUploadArtifact(input: {
    completeMultipartAction: Complete, completedParts: $completedParts,
    artifactID: $artifactID, storagePath: $storagePath, uploadID: $uploadID
  }) { digest }
}`;

/** Asks the server to assemble the uploaded parts of a multipart file. */
export async function completeMultipartUpload(
  http: WandbHttpClient,
  variables: { completedParts: Array<{ partNumber: number; hexMD5: string }>; artifactID: string; storagePath: string; uploadID: string },
): Promise<void> {
  await graphqlRequest(http, COMPLETE_MULTIPART, variables);
}

const COMMIT_ARTIFACT = `mutation CommitArtifact($artifactID: ID!) {
  commitArtifact(input: {artifactID: $artifactID}) { artifact { ${ARTIFACT_FIELDS} } }
}`;

/** Step 9: commits the version; the server numbers it and moves its aliases. */
export async function commitArtifact(http: WandbHttpClient, artifactID: string): Promise<ServerArtifactInfo> {
  const data = await graphqlRequest<{ commitArtifact: { artifact: ServerArtifactInfo } }>(http, COMMIT_ARTIFACT, { artifactID });
  return data.commitArtifact.artifact;
}

const USE_ARTIFACT = `mutation UseArtifact(
  $entityName: String!, $projectName: String!, $runName: String!, $artifactID: ID!,
  $artifactEntityName: String, $artifactProjectName: String
) {
  useArtifact(input: {
    entityName: $entityName, projectName: $projectName, runName: $runName, artifactID: $artifactID,
    artifactEntityName: $artifactEntityName, artifactProjectName: $artifactProjectName
  }) { artifact { id digest } }
}`;

/** Records that run `runName` used artifact version `artifactID` (the lineage input edge). */
export async function useArtifactById(
  http: WandbHttpClient,
  variables: { entityName: string; projectName: string; runName: string; artifactID: string; artifactEntityName?: string; artifactProjectName?: string },
): Promise<void> {
  await graphqlRequest(http, USE_ARTIFACT, variables);
}

const ARTIFACT_BY_NAME = `query ArtifactByName($entityName: String!, $projectName: String!, $name: String!) {
  project(name: $projectName, entityName: $entityName) { artifact(name: $name) { ${ARTIFACT_FIELDS} } }
}`;

/** Looks up `name:alias` (or `name:vN`) in a project; null when it does not exist. */
export async function artifactByName(
  http: WandbHttpClient,
  variables: { entityName: string; projectName: string; name: string },
): Promise<ServerArtifactInfo | null> {
  const data = await graphqlRequest<{ project: { artifact: ServerArtifactInfo | null } | null }>(http, ARTIFACT_BY_NAME, variables);
  return data.project?.artifact ?? null;
}
