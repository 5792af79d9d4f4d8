/**
 * `run.logArtifact` and `run.useArtifact`: commit drafts to the local registry, record lineage, and
 * emit the `artifact` records W&B's sync (and the online sender) upload from. A use is recorded as an
 * `artifact` record of the exact version with `userCreated`/`useAfterCommit` set (reference §5.7),
 * so the input edge points at that version even if `latest` moves later.
 */
import { Artifact, ArtifactFrozenError, type LoggedArtifactVersion } from "../artifacts/artifact.js";
import { parseArtifactPath } from "../artifacts/artifact-path.js";
import { ArtifactValidationError, validateAlias } from "../artifacts/artifact-validation.js";
import type { ArtifactVersion } from "../artifacts/artifact-version.js";
import { artifactRecord, type LocalArtifacts } from "../offline/local-artifacts.js";
import { ArtifactNotFoundError, type RunRef } from "../offline/artifact-registry.js";
import type { RecordBody } from "../protocol/records.js";
import type { RemoteArtifactResolver, RemoteArtifactVersion } from "../artifacts/remote-artifact-version.js";

/** What the artifact operations need from their run. */
export interface ArtifactRunContext {
  runRef: RunRef;
  artifacts: LocalArtifacts;
  newClientId: () => string;
  emit: (body: RecordBody) => void;
  /** Keeps the record of a version logged with `publishAtFinish` until the run finishes. */
  hold: (output: HeldOutput) => void;
  /** Online runs: the server lookup used when the local registry lacks a version. */
  remote?: RemoteArtifactResolver;
  /** Online runs: the number the server gave a produced version, by its record's client id (undefined: not reached). */
  serverVersionOf?: (clientId: string) => Promise<{ versionIndex: number; deduplicated: boolean } | undefined>;
}

/** Raised when `name:alias` is neither in the local registry nor (online) on the server. */
export class ArtifactUnavailableError extends ArtifactNotFoundError {
  constructor(reference: string, where: string, online: boolean) {
    super(reference, where);
    this.name = "ArtifactUnavailableError";
    this.message = online
      ? `Artifact '${reference}' is not in the local registry ${where} and the W&B server has no such version either. ` +
        "Check the entity, project, name and alias (e.g. 'name:latest' or 'name:v0'), and that the run that logged it was synced."
      : `Artifact '${reference}' is not in the local registry ${where}, and this run is offline so the W&B server was not asked. ` +
        "If it was logged on another machine, log in (`wbflow login`) and start the run with mode 'online', " +
        "or log it here first; versions logged offline elsewhere reach the server with `wbflow sync`.";
  }
}

/** Options of `run.logArtifact`. */
export interface LogArtifactOptions {
  /** Extra aliases; `latest` is always added, as W&B does. */
  aliases?: string[];
  /**
   * Publish the version only when the run finishes. It is committed to the local registry at once
   * (its number is known and it can be used), but the run's record of it — what a sync or the online
   * sender uploads — is written at `finish()`, and only then does the run become its producer. A run
   * that never finishes (its process is killed) or is finished with `heldOutputs: "discard"`
   * publishes nothing, and `artifact.wait()` answers the local number (the server numbers the version
   * when it arrives). Default false: recorded at once, as W&B does.
   */
  publishAtFinish?: boolean;
}

/** A version logged with `publishAtFinish`: its `artifact` record, written when the run finishes. */
export interface HeldOutput {
  body: RecordBody;
  project: string;
  name: string;
  /** The registry's own number of the version. */
  localIndex: number;
}

/** Options of `run.useArtifact`. */
export interface UseArtifactOptions {
  /** If given, the used version must have this type. */
  type?: string;
  /**
   * If given, the content expected (hex artifact digest, a version's identity): the version with this
   * digest is used even when `vN` in the reference was another number (a number given offline, before
   * the server numbered the content), and a version with other content is refused.
   */
  digest?: string;
}

/** Commits `artifact` as an output of the run (producer = the run) and records it. */
export async function logArtifactForRun(
  context: ArtifactRunContext,
  artifact: Artifact,
  options: LogArtifactOptions = {},
): Promise<LoggedArtifactVersion> {
  const aliases = [...new Set(["latest", ...(options.aliases ?? []).map(validateAlias)])];
  return commitAndRecord(context, artifact, { run: context.runRef, held: options.publishAtFinish === true }, aliases);
}

async function commitAndRecord(
  context: ArtifactRunContext,
  artifact: Artifact,
  producer: { run: RunRef; held: boolean } | undefined,
  aliases: string[],
): Promise<LoggedArtifactVersion> {
  if (artifact.logged) throw new ArtifactFrozenError(artifact.name);
  const clientId = context.newClientId();
  const where = { project: context.runRef.project, ...(context.runRef.entity ? { entity: context.runRef.entity } : {}) };
  const lineage = producer ? (producer.held ? { pendingProducer: producer.run } : { producer: producer.run }) : {};
  const { result, entries } = await context.artifacts.commit(artifact, where, lineage, aliases, clientId);
  if (producer) {
    // Built now (staging copies included), so publishing a held record at finish is a single write.
    const body: RecordBody = {
      type: "artifact",
      artifact: artifactRecord({
        version: result.version,
        runId: producer.run.runId,
        entries: await context.artifacts.recordEntries(entries, clientId),
        aliases,
        clientId,
        sequenceClientId: context.newClientId(),
        forUse: false,
      }),
    };
    if (producer.held) context.hold({ body, project: result.version.project, name: result.version.name, localIndex: result.version.version });
    else context.emit(body);
  }
  const v = result.version;
  const logged: LoggedArtifactVersion = {
    name: v.name,
    type: v.type,
    project: v.project,
    ...(v.entity ? { entity: v.entity } : {}),
    version: `v${v.version}`,
    versionIndex: v.version,
    digest: v.digest,
    size: v.size,
    deduplicated: result.deduplicated,
    aliases: result.aliases,
    qualifiedName: `${v.name}:v${v.version}`,
    numberedBy: "local",
  };
  // A held version reaches the server only at finish: until then `wait()` answers the local number.
  const serverVersionOf = producer && !producer.held ? context.serverVersionOf : undefined;
  await artifact.markLogged(logged, serverVersionOf && (async () => withServerNumber(logged, await serverVersionOf(clientId))));
  return logged;
}

/**
 * The logged version as the server numbered it (and whether the server made a new version); unchanged
 * (local) when the server gave no number.
 */
function withServerNumber(logged: LoggedArtifactVersion, server: { versionIndex: number; deduplicated: boolean } | undefined): LoggedArtifactVersion {
  if (server === undefined) return logged;
  const local = logged.version;
  const version = `v${server.versionIndex}`;
  return {
    ...logged,
    version,
    versionIndex: server.versionIndex,
    deduplicated: server.deduplicated,
    aliases: logged.aliases.map((alias) => (alias === local ? version : alias)),
    qualifiedName: `${logged.name}:${version}`,
    numberedBy: "server",
  };
}

/** Resolves `reference` to a committed version, records the run as its consumer, and returns it. */
export async function useArtifactForRun(
  context: ArtifactRunContext,
  reference: string | Artifact,
  options: UseArtifactOptions = {},
): Promise<ArtifactVersion | RemoteArtifactVersion> {
  let version: ArtifactVersion | undefined;
  let useAliases: string[] = [];
  if (reference instanceof Artifact) {
    // A draft is committed as a user-created version first (no producer), as W&B does; its use
    // record asks for `latest`, as W&B's client does for an artifact created and used at once.
    if (!reference.logged) useAliases = ["latest"];
    const logged = reference.logged ?? (await commitAndRecord(context, reference, undefined, ["latest"]));
    version = await context.artifacts.openLocal(logged.project, logged.name, logged.versionIndex);
  } else {
    const parsed = parseArtifactPath(reference);
    const where = { entity: parsed.entity, project: parsed.project ?? context.runRef.project, name: parsed.name, alias: parsed.alias };
    version = await openLocal(context, where.project, where.name, where.alias);
    if (options.digest !== undefined && version?.digest !== options.digest) {
      version = (await context.artifacts.openDigests(where.project, where.name, [options.digest])).get(options.digest);
    }
    if (version === undefined) return useRemoteArtifact(context, reference, where, options);
  }
  const { project, name } = version;
  if (options.type !== undefined && options.type !== version.type) {
    throw new ArtifactValidationError("type", options.type, `'${version.qualifiedName}' has type '${version.type}'`);
  }
  await context.artifacts.registry.recordUse(project, name, version.localIndex, context.runRef);
  const clientId = context.newClientId();
  context.emit({
    type: "artifact",
    artifact: artifactRecord({
      version: inConsumersProject(version, context.runRef),
      runId: context.runRef.runId,
      entries: await context.artifacts.recordEntries(version.files(), clientId),
      aliases: useAliases,
      clientId,
      sequenceClientId: context.newClientId(),
      forUse: true,
    }),
  });
  return context.artifacts.openLocal(project, name, version.localIndex);
}

/**
 * The version's fields for a use record, with the consuming run's entity and project (W&B's writer
 * names the run's own in every artifact record). A version kept in another project keeps its own.
 */
function inConsumersProject(version: ArtifactVersion, consumer: RunRef) {
  const { type, name, digest, description, metadata } = version;
  if (version.project !== consumer.project) return { type, name, digest, description, metadata, project: version.project, entity: version.entity };
  return { type, name, digest, description, metadata, project: consumer.project, entity: consumer.entity ?? version.entity };
}

/** The local version, or undefined when the registry has none of that name and alias. */
async function openLocal(context: ArtifactRunContext, project: string, name: string, alias: string): Promise<ArtifactVersion | undefined> {
  try {
    return await context.artifacts.open(project, name, alias);
  } catch (error) {
    if (error instanceof ArtifactNotFoundError) return undefined;
    throw error;
  }
}

/**
 * Online: resolves the reference through the server and records the use of the exact version it
 * found (`entity/project/name:vN`), so the lineage edge stays on that version if `latest` moves.
 * The `use_artifact` record goes to the offline log too, so a later sync records the same edge.
 */
async function useRemoteArtifact(
  context: ArtifactRunContext,
  reference: string,
  where: { entity: string | undefined; project: string; name: string; alias: string },
  options: UseArtifactOptions,
): Promise<RemoteArtifactVersion> {
  const registryPath = context.artifacts.registry.root;
  if (!context.remote) throw new ArtifactUnavailableError(reference, registryPath, false);
  const found = await context.remote.resolveArtifact({ ...where, entity: where.entity ?? context.runRef.entity });
  if (!found) throw new ArtifactUnavailableError(reference, registryPath, true);
  if (options.digest !== undefined && found.digest !== options.digest) {
    throw new ArtifactValidationError("digest", options.digest, `the W&B server's '${found.qualifiedName}' has other content (digest ${found.digest})`);
  }
  if (options.type !== undefined && options.type !== found.type) {
    throw new ArtifactValidationError("type", options.type, `'${found.qualifiedName}' has type '${found.type}'`);
  }
  context.emit({
    type: "useArtifact",
    useArtifact: { id: found.id, type: found.type, name: `${found.entity}/${found.project}/${found.qualifiedName}` },
  });
  return found;
}
