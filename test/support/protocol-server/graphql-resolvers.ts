/**
 * Server-side behaviour of the GraphQL operations the W&B client uses, written from the
 * reference (§2, §4): run upsert, run files, artifact create/manifest/files/commit/use, lookups.
 * Documents reach these resolvers only after graphql-js validated them against the schema.
 */
import type { ServerArtifact, ServerCollection, ServerRun, ServerState, ServerUser } from "./server-state.js";
import { parseExtendedJson } from "../../../src/wandb/protocol/extended-json.js";

/** What each resolver gets besides its arguments. */
export interface ResolverContext {
  user: ServerUser;
  /** Origin of the storage listener, e.g. `http://127.0.0.1:40001`; upload URLs point there. */
  storageOrigin: string;
}

type Args = Record<string, any>;

/** Thrown for a request the real server would refuse; becomes a GraphQL error. */
class ServerRuleError extends Error {}

function projectView(state: ServerState, entity: string, project: string) {
  return {
    id: Buffer.from(`Project:${entity}/${project}`).toString("base64"),
    name: project,
    entity: { id: Buffer.from(`Entity:${entity}`).toString("base64"), name: entity },
    artifact: ({ name }: Args) => artifactViewOrNull(state, state.resolveArtifact(entity, project, name)),
    artifactCollectionMembership: ({ name }: Args) => {
      const artifact = state.resolveArtifact(entity, project, name);
      if (!artifact) return null;
      return { id: artifact.id, versionIndex: artifact.versionIndex, artifact: artifactView(state, artifact) };
    },
    artifactType: ({ name }: Args) => {
      for (const c of state.collections.values()) {
        if (c.entity === entity && c.project === project && c.typeName === name) return { name };
      }
      return null;
    },
  };
}

function runView(state: ServerState, run: ServerRun) {
  return {
    id: run.storageId,
    name: run.name,
    displayName: run.displayName,
    description: run.description,
    config: JSON.stringify(run.config),
    sweepName: null,
    historyLineCount: run.streamed.get("wandb-history.jsonl")?.length ?? 0,
    project: projectView(state, run.entity, run.project),
  };
}

function collectionView(state: ServerState, collection: ServerCollection) {
  return {
    id: collection.id,
    name: collection.name,
    latestArtifact: () => {
      const id = collection.aliases.get("latest");
      return id === undefined ? null : artifactView(state, state.artifacts.get(id)!);
    },
  };
}

function artifactViewOrNull(state: ServerState, artifact: ServerArtifact | undefined) {
  return artifact ? artifactView(state, artifact) : null;
}

function artifactView(state: ServerState, artifact: ServerArtifact): Record<string, unknown> {
  const collection = state.collections.get(artifact.collectionId)!;
  let size = 0;
  for (const file of artifact.files.values()) size += state.blobs.get(file.md5)?.size ?? 0;
  return {
    id: artifact.id,
    digest: artifact.digest,
    state: artifact.state,
    versionIndex: artifact.versionIndex,
    size,
    fileCount: artifact.files.size,
    commitHash: null,
    description: artifact.description,
    metadata: artifact.metadata,
    createdAt: artifact.createdAt,
    artifactType: { name: artifact.typeName },
    artifactSequence: () => collectionView(state, collection),
    aliases: state.aliasesOf(artifact).map((alias) => ({ alias })),
    // graphql-js calls a function-valued field with (args, context): the manifest's download URL
    // points at the storage listener, like the upload URL does.
    currentManifest: (_: unknown, ctx: ResolverContext) =>
      artifact.manifest ? manifestView(state, artifact.manifest.id, false, ctx.storageOrigin) : null,
  };
}

function manifestView(state: ServerState, manifestId: string, includeUpload: boolean, storageOrigin: string) {
  const manifest = state.manifests.get(manifestId)!;
  const path = `/storage/manifests/${encodeURIComponent(manifest.id)}`;
  return {
    id: manifest.id,
    file: {
      id: manifest.id,
      name: manifest.name,
      md5: manifest.digest,
      directUrl: `${storageOrigin}${path}`,
      uploadUrl: includeUpload ? `${storageOrigin}${path}` : null,
      uploadHeaders: includeUpload && manifest.digest !== "" ? [`Content-MD5:${manifest.digest}`] : [],
      storagePath: path,
      storageBucket: null,
      artifact: null,
      uploadMultipartUrls: null,
    },
  };
}

function requireArtifact(state: ServerState, id: string): ServerArtifact {
  const artifact = state.artifacts.get(id);
  if (!artifact) throw new ServerRuleError(`artifact ${id} not found`);
  return artifact;
}

/** Builds the GraphQL root value bound to one state. */
export function createRootValue(state: ServerState) {
  return {
    viewer: (_: Args, ctx: ResolverContext) => ({
      id: Buffer.from(`User:${ctx.user.username}`).toString("base64"),
      entity: ctx.user.entity,
      username: ctx.user.username,
      email: ctx.user.email,
      flags: "{}",
      teams: { edges: [] },
    }),

    serverInfo: () => ({ features: [], cliVersionInfo: {} }),

    project: ({ name, entityName }: Args, ctx: ResolverContext) =>
      projectView(state, entityName ?? ctx.user.entity, name ?? "uncategorized"),
    model: ({ name, entityName }: Args, ctx: ResolverContext) =>
      projectView(state, entityName ?? ctx.user.entity, name ?? "uncategorized"),

    artifact: ({ id }: Args) => artifactViewOrNull(state, state.artifacts.get(id)),

    clientIDMapping: ({ clientID }: Args) => {
      for (const a of state.artifacts.values()) if (a.clientId === clientID) return { serverID: a.id };
      for (const c of state.collections.values()) if (c.clientId === clientID) return { serverID: c.id };
      return null;
    },

    upsertBucket: ({ input }: Args, ctx: ResolverContext) => {
      let run: ServerRun | undefined;
      if (input.id) {
        run = state.runs.find((r) => r.storageId === input.id);
        if (!run) throw new ServerRuleError(`run with storage id ${input.id} not found`);
      } else {
        const entity: string = input.entityName ?? ctx.user.entity;
        const project: string = input.modelName ?? "uncategorized";
        const name: string = input.name ?? Math.random().toString(36).slice(2, 10);
        run = state.findRun(entity, project, name);
        if (!run) {
          run = {
            storageId: state.newId("Run"),
            entity,
            project,
            name,
            displayName: input.displayName ?? `generated-name-${state.runs.length + 1}`,
            groupName: null,
            jobType: null,
            notes: null,
            description: null,
            tags: [],
            host: null,
            config: {},
            streamed: new Map(),
            uploadedNotices: new Set(),
            files: new Map(),
            state: "running",
            exitcode: null,
            heartbeats: 0,
            upserts: 0,
          };
          state.runs.push(run);
          run.upserts += 1;
          applyRunInput(run, input);
          return { bucket: runView(state, run), inserted: true, updateAvailable: false };
        }
      }
      run.upserts += 1;
      applyRunInput(run, input);
      return { bucket: runView(state, run), inserted: false, updateAvailable: false };
    },

    createRunFiles: ({ input }: Args, ctx: ResolverContext) => {
      const run = state.findRun(input.entityName, input.projectName, input.runName);
      if (!run) throw new ServerRuleError(`run ${input.entityName}/${input.projectName}/${input.runName} not found`);
      return {
        runID: run.storageId,
        uploadHeaders: ["Content-Type:application/octet-stream"],
        files: (input.files as string[]).map((name) => ({
          name,
          uploadUrl: `${ctx.storageOrigin}/storage/runs/${encodeURIComponent(run.storageId)}/${name
            .split("/")
            .map(encodeURIComponent)
            .join("/")}`,
        })),
      };
    },

    markRunFilesUploaded: () => ({ success: true }),

    createArtifact: ({ input }: Args) => {
      const name: string | undefined = input.artifactCollectionName ?? input.artifactCollectionNames?.[0];
      if (!name) throw new ServerRuleError("artifactCollectionName is required");
      if (!/^[A-Za-z0-9_.-]+$/.test(name)) throw new ServerRuleError(`invalid artifact name "${name}"`);
      // A retried request (response lost) carries the same client id: answer with the same version.
      if (input.clientID) {
        for (const existing of state.artifacts.values()) {
          if (existing.clientId === input.clientID) return { artifact: artifactView(state, existing) };
        }
      }
      let collection = state.findCollection(input.entityName, input.projectName, name);
      if (collection && collection.typeName !== input.artifactTypeName) {
        throw new ServerRuleError(
          `artifact name "${name}" is already used with type "${collection.typeName}", not "${input.artifactTypeName}"`,
        );
      }
      if (!collection) {
        collection = {
          id: state.newId("ArtifactCollection"),
          entity: input.entityName,
          project: input.projectName,
          name,
          typeName: input.artifactTypeName,
          clientId: input.sequenceClientID ?? null,
          versions: [],
          aliases: new Map(),
        };
        state.collections.set(collection.id, collection);
      }
      if (input.enableDigestDeduplication) {
        const latestId = collection.aliases.get("latest");
        const latest = latestId === undefined ? undefined : state.artifacts.get(latestId);
        if (latest && latest.digest === input.digest) return { artifact: artifactView(state, latest) };
      }
      const artifact: ServerArtifact = {
        id: state.newId("Artifact"),
        entity: input.entityName,
        project: input.projectName,
        collectionId: collection.id,
        typeName: input.artifactTypeName,
        digest: input.digest,
        description: input.description ?? null,
        metadata: input.metadata ?? null,
        clientId: input.clientID ?? null,
        producerRun: input.runName ?? null,
        requestedAliases: ((input.aliases ?? []) as Array<{ alias: string }>).map((a) => a.alias),
        state: "PENDING",
        versionIndex: null,
        files: new Map(),
        manifest: null,
        createdAt: state.clock().toISOString(),
      };
      state.artifacts.set(artifact.id, artifact);
      return { artifact: artifactView(state, artifact) };
    },

    createArtifactManifest: ({ input }: Args, ctx: ResolverContext) => {
      const artifact = requireArtifact(state, input.artifactID);
      let manifest = artifact.manifest;
      if (!manifest || manifest.name !== input.name) {
        manifest = {
          id: state.newId("ArtifactManifest"),
          artifactId: artifact.id,
          name: input.name,
          type: input.type ?? "FULL",
          digest: input.digest,
          baseArtifactId: input.baseArtifactID ?? null,
          bytes: null,
        };
        state.manifests.set(manifest.id, manifest);
        artifact.manifest = manifest;
      } else {
        manifest.digest = input.digest;
        manifest.baseArtifactId = input.baseArtifactID ?? null;
      }
      return { artifactManifest: manifestView(state, manifest.id, input.digest !== "", ctx.storageOrigin) };
    },

    updateArtifactManifest: ({ input }: Args, ctx: ResolverContext) => {
      const manifest = state.manifests.get(input.artifactManifestID);
      if (!manifest) throw new ServerRuleError(`manifest ${input.artifactManifestID} not found`);
      if (input.digest != null) manifest.digest = input.digest;
      return { artifactManifest: manifestView(state, manifest.id, true, ctx.storageOrigin) };
    },

    createArtifactFiles: ({ input }: Args, ctx: ResolverContext) => {
      const edges = (input.artifactFiles as Args[]).map((spec) => {
        const artifact = requireArtifact(state, spec.artifactID);
        if (artifact.state !== "PENDING") throw new ServerRuleError(`artifact ${artifact.id} is already committed`);
        const stored = state.blobs.get(spec.md5);
        const storagePath = `/storage/blobs/${encodeURIComponent(spec.md5)}`;
        const parts = spec.uploadPartsInput as Array<{ partNumber: number; hexMD5: string }> | undefined;
        const file = {
          name: spec.name,
          md5: spec.md5,
          birthArtifactId: stored ? stored.birthArtifactId : artifact.id,
          storagePath,
          ...(parts && !stored ? { multipart: { uploadId: state.newId("Upload"), parts } } : {}),
        };
        artifact.files.set(spec.name, file);
        return {
          node: {
            id: state.newId("File"),
            name: spec.name,
            md5: spec.md5,
            directUrl: `${ctx.storageOrigin}${storagePath}`,
            uploadUrl: stored ? null : `${ctx.storageOrigin}${storagePath}`,
            uploadHeaders: stored ? [] : [`Content-MD5:${spec.md5}`, "Content-Type:application/octet-stream"],
            storagePath,
            storageBucket: null,
            artifact: artifactView(state, state.artifacts.get(file.birthArtifactId)!),
            uploadMultipartUrls: file.multipart
              ? {
                  uploadID: file.multipart.uploadId,
                  uploadUrlParts: file.multipart.parts.map((p) => ({
                    partNumber: p.partNumber,
                    uploadUrl: `${ctx.storageOrigin}/storage/parts/${encodeURIComponent(
                      file.multipart!.uploadId,
                    )}/${p.partNumber}`,
                  })),
                }
              : null,
          },
        };
      });
      return { files: { edges, uploadHeaders: [] } };
    },

    completeMultipartUploadArtifact: ({ input }: Args, ctx: ResolverContext & { completeMultipart: CompleteMultipart }) => {
      const artifact = requireArtifact(state, input.artifactID);
      const file = [...artifact.files.values()].find((f) => f.multipart?.uploadId === input.uploadID);
      if (!file) throw new ServerRuleError(`multipart upload ${input.uploadID} not found`);
      const digest = ctx.completeMultipart(file, input.completedParts);
      return { digest };
    },

    commitArtifact: ({ input }: Args) => {
      const artifact = requireArtifact(state, input.artifactID);
      if (artifact.state === "COMMITTED") return { artifact: artifactView(state, artifact) };
      if (!artifact.manifest?.bytes) throw new ServerRuleError(`artifact ${artifact.id} has no uploaded manifest`);
      for (const file of artifact.files.values()) {
        if (!state.blobs.has(file.md5)) {
          throw new ServerRuleError(`file "${file.name}" of artifact ${artifact.id} was never uploaded`);
        }
      }
      const collection = state.collections.get(artifact.collectionId)!;
      artifact.versionIndex = collection.versions.length;
      artifact.state = "COMMITTED";
      collection.versions.push(artifact.id);
      for (const alias of new Set([...artifact.requestedAliases, "latest"])) {
        if (/^v\d+$/.test(alias)) continue; // version aliases are the server's
        collection.aliases.set(alias, artifact.id);
      }
      return { artifact: artifactView(state, artifact) };
    },

    useArtifact: ({ input }: Args) => {
      const run = state.findRun(input.entityName, input.projectName, input.runName);
      if (!run) throw new ServerRuleError(`run ${input.entityName}/${input.projectName}/${input.runName} not found`);
      const artifact = requireArtifact(state, input.artifactID);
      if (artifact.state !== "COMMITTED") throw new ServerRuleError(`artifact ${artifact.id} is not committed`);
      const known = state.useEdges.some(
        (e) => e.artifactId === artifact.id && e.runName === run.name && e.entity === run.entity && e.project === run.project,
      );
      if (!known) state.useEdges.push({ entity: run.entity, project: run.project, runName: run.name, artifactId: artifact.id });
      return { artifact: artifactView(state, artifact), run: runView(state, run) };
    },

    linkArtifact: () => {
      throw new ServerRuleError("linkArtifact is not implemented by the test server");
    },
  };
}

/** Assembles a multipart upload, checks each part, stores the blob and returns its digest. */
export type CompleteMultipart = (
  file: import("./server-state.js").ServerArtifactFile,
  completedParts: Array<{ partNumber: number; hexMD5: string }>,
) => string;

function applyRunInput(run: ServerRun, input: Args): void {
  if (input.displayName != null) run.displayName = input.displayName;
  if (input.groupName != null) run.groupName = input.groupName;
  if (input.jobType != null) run.jobType = input.jobType;
  if (input.notes != null) run.notes = input.notes;
  if (input.description != null) run.description = input.description;
  if (input.host != null) run.host = input.host;
  if (input.tags != null) run.tags = [...input.tags];
  if (input.config != null) {
    // W&B's clients send extended JSON here (wandb-core's simplejsonext writes bare NaN and Infinity).
    const parsed = parseExtendedJson(input.config) as unknown;
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
      throw new ServerRuleError("config must be a JSON object");
    }
    for (const [key, entry] of Object.entries(parsed)) {
      if (typeof entry !== "object" || entry === null || !("value" in entry)) {
        throw new ServerRuleError(`config key "${key}" is not in the wrapped form {"value": ...}`);
      }
    }
    run.config = parsed as Record<string, unknown>;
  }
}
