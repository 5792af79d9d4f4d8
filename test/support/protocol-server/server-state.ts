/**
 * The in-memory state of the W&B protocol test server: users, runs, run files, artifacts and
 * lineage. Tests read it directly (and through `snapshot()`) to check what a client achieved.
 */
import { createHash } from "node:crypto";

/** A user the server knows, found by API key. */
export interface ServerUser {
  apiKey: string;
  username: string;
  entity: string;
  email: string;
}

/** One line-addressed file of a run, written by file_stream (history, summary, events, output). */
export type StreamedFile = string[];

/** A run ("bucket") as the server stores it. */
export interface ServerRun {
  storageId: string;
  entity: string;
  project: string;
  name: string;
  displayName: string;
  groupName: string | null;
  jobType: string | null;
  notes: string | null;
  description: string | null;
  tags: string[];
  host: string | null;
  /** The wrapped config object as last upserted: `{key: {value, desc?}}`. */
  config: Record<string, unknown>;
  /** file_stream files by name, each a list of lines addressed by offset. */
  streamed: Map<string, StreamedFile>;
  /** Paths listed in file_stream `uploaded`. */
  uploadedNotices: Set<string>;
  /** Run files uploaded through createRunFiles URLs: path → bytes. */
  files: Map<string, Buffer>;
  state: "running" | "finished" | "failed";
  exitcode: number | null;
  heartbeats: number;
  upserts: number;
}

/** A stored blob (file content), addressed by its base64 MD5. */
export interface ServerBlob {
  md5: string;
  size: number;
  /** Undefined when the server was started with `keepBytes: false` (benchmarks). */
  bytes: Buffer | undefined;
  /** Id of the artifact version whose upload first stored these bytes. */
  birthArtifactId: string;
}

/** A file a version declared through createArtifactFiles. */
export interface ServerArtifactFile {
  name: string;
  md5: string;
  birthArtifactId: string;
  storagePath: string;
  /** Multipart upload in progress, if the file was declared with parts. */
  multipart?: { uploadId: string; parts: Array<{ partNumber: number; hexMD5: string }> };
}

/** An artifact manifest registered by createArtifactManifest. */
export interface ServerManifest {
  id: string;
  artifactId: string;
  name: string;
  type: string;
  digest: string;
  baseArtifactId: string | null;
  /** The uploaded manifest bytes, once PUT. */
  bytes: Buffer | null;
}

/** One artifact version (pending until committed). */
export interface ServerArtifact {
  id: string;
  entity: string;
  project: string;
  collectionId: string;
  typeName: string;
  digest: string;
  description: string | null;
  metadata: string | null;
  clientId: string | null;
  producerRun: string | null;
  requestedAliases: string[];
  state: "PENDING" | "COMMITTED" | "DELETED";
  versionIndex: number | null;
  files: Map<string, ServerArtifactFile>;
  manifest: ServerManifest | null;
  createdAt: string;
}

/** An artifact collection ("sequence"): the named series of versions in one project. */
export interface ServerCollection {
  id: string;
  entity: string;
  project: string;
  name: string;
  typeName: string;
  clientId: string | null;
  /** Committed version ids by version index. */
  versions: string[];
  /** alias → artifact id (`latest` and user aliases; `vN` is implicit). */
  aliases: Map<string, string>;
}

/** A "run used artifact" lineage edge. */
export interface UseEdge {
  entity: string;
  project: string;
  runName: string;
  artifactId: string;
}

/** Encodes a server id the way W&B does: base64 of `Type:number`. */
function nodeId(type: string, n: number): string {
  return Buffer.from(`${type}:${n}`).toString("base64");
}

/** The mutable state behind the test server; every GraphQL resolver reads and writes it. */
export class ServerState {
  readonly users: ServerUser[] = [];
  readonly runs: ServerRun[] = [];
  readonly artifacts = new Map<string, ServerArtifact>();
  readonly collections = new Map<string, ServerCollection>();
  readonly blobs = new Map<string, ServerBlob>();
  readonly manifests = new Map<string, ServerManifest>();
  readonly useEdges: UseEdge[] = [];
  private counter = 0;

  constructor(readonly clock: () => Date = () => new Date()) {}

  newId(type: string): string {
    this.counter += 1;
    return nodeId(type, this.counter);
  }

  userForKey(apiKey: string): ServerUser | undefined {
    return this.users.find((u) => u.apiKey === apiKey);
  }

  findRun(entity: string, project: string, name: string): ServerRun | undefined {
    return this.runs.find((r) => r.entity === entity && r.project === project && r.name === name);
  }

  findCollection(entity: string, project: string, name: string): ServerCollection | undefined {
    for (const c of this.collections.values()) {
      if (c.entity === entity && c.project === project && c.name === name) return c;
    }
    return undefined;
  }

  /** Resolves `name:alias` or `name:vN` (alias defaults to `latest`) in a project. */
  resolveArtifact(entity: string, project: string, nameWithAlias: string): ServerArtifact | undefined {
    const colon = nameWithAlias.lastIndexOf(":");
    const name = colon < 0 ? nameWithAlias : nameWithAlias.slice(0, colon);
    const alias = colon < 0 ? "latest" : nameWithAlias.slice(colon + 1);
    const collection = this.findCollection(entity, project, name);
    if (!collection) return undefined;
    const version = /^v(\d+)$/.exec(alias);
    const id = version ? collection.versions[Number(version[1])] : collection.aliases.get(alias);
    return id === undefined ? undefined : this.artifacts.get(id);
  }

  /** Aliases of a committed version as the API lists them: `vN` first, then the others. */
  aliasesOf(artifact: ServerArtifact): string[] {
    if (artifact.versionIndex === null) return [];
    const collection = this.collections.get(artifact.collectionId)!;
    const named = [...collection.aliases].filter(([, id]) => id === artifact.id).map(([a]) => a);
    return [`v${artifact.versionIndex}`, ...named.sort()];
  }

  /** Runs (as `entity/project/name`) that used a version. */
  consumersOf(artifactId: string): string[] {
    return this.useEdges
      .filter((e) => e.artifactId === artifactId)
      .map((e) => `${e.entity}/${e.project}/${e.runName}`)
      .sort();
  }

  /**
   * A plain, id-free view of everything a client stored, for deep equality between two servers
   * (e.g. a run logged online against the same run synced from offline).
   */
  snapshot(): ServerSnapshot {
    const runs: ServerSnapshot["runs"] = {};
    for (const run of this.runs) {
      const history = run.streamed.get("wandb-history.jsonl") ?? [];
      const summaryLines = run.streamed.get("wandb-summary.json") ?? [];
      const lastSummary = summaryLines[summaryLines.length - 1];
      runs[`${run.entity}/${run.project}/${run.name}`] = {
        displayName: run.displayName,
        group: run.groupName,
        jobType: run.jobType,
        tags: [...run.tags].sort(),
        notes: run.notes,
        config: run.config,
        history: history.map((line) => parseExtendedJson(line)),
        summary: lastSummary === undefined ? null : parseExtendedJson(lastSummary),
        output: [...(run.streamed.get("output.log") ?? [])],
        files: Object.fromEntries(
          [...run.files].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => [k, md5Base64(v)]),
        ),
        state: run.state,
        exitcode: run.exitcode,
      };
    }
    const artifacts: ServerSnapshot["artifacts"] = {};
    for (const collection of this.collections.values()) {
      const versions = collection.versions.map((id) => {
        const artifact = this.artifacts.get(id)!;
        const producer = artifact.producerRun;
        return {
          version: `v${artifact.versionIndex}`,
          type: artifact.typeName,
          digest: artifact.digest,
          aliases: this.aliasesOf(artifact),
          metadata: artifact.metadata === null ? null : (JSON.parse(artifact.metadata) as unknown),
          files: Object.fromEntries(
            [...artifact.files.values()]
              .sort((a, b) => (a.name < b.name ? -1 : 1))
              .map((f) => [f.name, f.md5]),
          ),
          producer: producer === null ? null : `${artifact.entity}/${artifact.project}/${producer}`,
          consumers: this.consumersOf(id),
        };
      });
      artifacts[`${collection.entity}/${collection.project}/${collection.name}`] = versions;
    }
    return { runs, artifacts };
  }
}

/** What `ServerState.snapshot()` returns. */
export interface ServerSnapshot {
  runs: Record<
    string,
    {
      displayName: string;
      group: string | null;
      jobType: string | null;
      tags: string[];
      notes: string | null;
      config: Record<string, unknown>;
      history: unknown[];
      summary: unknown;
      output: string[];
      files: Record<string, string>;
      state: string;
      exitcode: number | null;
    }
  >;
  artifacts: Record<
    string,
    Array<{
      version: string;
      type: string;
      digest: string;
      aliases: string[];
      metadata: unknown;
      files: Record<string, string>;
      producer: string | null;
      consumers: string[];
    }>
  >;
}

export function md5Base64(bytes: Buffer): string {
  return createHash("md5").update(bytes).digest("base64");
}

/** Parses W&B's extended JSON (bare NaN / Infinity / -Infinity allowed outside strings). */
export function parseExtendedJson(text: string): unknown {
  const replaced = text.replace(
    /"(?:[^"\\]|\\.)*"|-?Infinity|NaN/g,
    (token) => (token.startsWith('"') ? token : JSON.stringify(`__wbflow_nonfinite:${token}`)),
  );
  return JSON.parse(replaced, (_key, value: unknown) => {
    if (typeof value === "string" && value.startsWith("__wbflow_nonfinite:")) {
      return Number(value.slice("__wbflow_nonfinite:".length));
    }
    return value;
  });
}
