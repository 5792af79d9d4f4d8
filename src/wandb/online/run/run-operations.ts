/** GraphQL operations on runs: `UpsertBucket` (create/update a run) and `CreateRunFiles`. */
import { graphqlRequest } from "../http/graphql-client.js";
import type { WandbHttpClient } from "../http/http-client.js";
import { UPSERT_RETRY_POLICY } from "../http/retry-policy.js";
import { toExtendedJson } from "../../protocol/extended-json.js";

const UPSERT_BUCKET = `mutation UpsertBucket(
  $id: String, $name: String, $project: String, $entity: String, $groupName: String,
  $description: String, $displayName: String, $notes: String, $config: JSONString,
  $host: String, $jobType: String, $tags: [String!]
) {
  upsertBucket(input: {
    id: $id, name: $name, modelName: $project, entityName: $entity, groupName: $groupName,
    description: $description, displayName: $displayName, notes: $notes, config: $config,
    host: $host, jobType: $jobType, tags: $tags
  }) {
    bucket { id name displayName description config sweepName project { id name entity { id name } } historyLineCount }
    inserted
  }
}`;

/** Fields of a run to create or update; absent fields are left as they are on the server. */
export interface RunUpsert {
  /** Server storage id of an existing run (from a previous upsert). */
  storageId?: string;
  runId?: string;
  project?: string;
  entity?: string;
  group?: string;
  jobType?: string;
  displayName?: string;
  notes?: string;
  tags?: string[];
  host?: string;
  /** The complete config, raw (not wrapped); wrapped here as `{key: {value}}`. */
  config?: Record<string, unknown>;
}

/** What the server resolved for a run. */
export interface UpsertedRun {
  storageId: string;
  runId: string;
  displayName: string | null;
  /** Resolved project and entity: use these for every later path. */
  project: string;
  entity: string;
  /** Lines already in `wandb-history.jsonl` (a resumed run continues after them). */
  historyLineCount: number;
  inserted: boolean;
}

interface UpsertData {
  upsertBucket: {
    bucket: {
      id: string;
      name: string;
      displayName: string | null;
      project: { name: string; entity: { name: string } | null } | null;
      historyLineCount: number | null;
    } | null;
    inserted: boolean | null;
  } | null;
}

/** Config in W&B's wire form: every top-level key wrapped as `{"value": …}`. */
export function wrapConfig(config: Record<string, unknown>): Record<string, { value: unknown }> {
  return Object.fromEntries(Object.entries(config).map(([key, value]) => [key, { value }]));
}

/** Creates or updates a run. */
export async function upsertBucket(http: WandbHttpClient, run: RunUpsert): Promise<UpsertedRun> {
  const variables: Record<string, unknown> = {
    id: run.storageId,
    name: run.runId,
    project: run.project,
    entity: run.entity,
    groupName: run.group,
    displayName: run.displayName,
    notes: run.notes,
    tags: run.tags,
    host: run.host,
    jobType: run.jobType,
    // Extended JSON, as wandb-core sends it: NaN and ±Infinity stay themselves instead of null.
    config: run.config === undefined ? undefined : toExtendedJson(wrapConfig(run.config), "config"),
  };
  for (const key of Object.keys(variables)) if (variables[key] === undefined) delete variables[key];
  const data = await graphqlRequest<UpsertData>(http, UPSERT_BUCKET, variables, UPSERT_RETRY_POLICY);
  const bucket = data.upsertBucket?.bucket;
  if (!bucket?.project?.entity) {
    throw new Error(`UpsertBucket for run ${run.runId ?? run.storageId ?? "?"} returned no run; the server did not create it.`);
  }
  return {
    storageId: bucket.id,
    runId: bucket.name,
    displayName: bucket.displayName,
    project: bucket.project.name,
    entity: bucket.project.entity.name,
    historyLineCount: bucket.historyLineCount ?? 0,
    inserted: data.upsertBucket?.inserted ?? false,
  };
}

const CREATE_RUN_FILES = `mutation CreateRunFiles($entity: String!, $project: String!, $run: String!, $files: [String!]!) {
  createRunFiles(input: {entityName: $entity, projectName: $project, runName: $run, files: $files}) {
    runID uploadHeaders files { name uploadUrl }
  }
}`;

/** Where to PUT each run file. */
export interface RunFileUploadTargets {
  /** `"Name:Value"` headers to send with every PUT. */
  uploadHeaders: string[];
  files: Array<{ name: string; uploadUrl: string | null }>;
}

/** Asks for upload URLs of run files (paths relative to the run's files dir, `/`-separated). */
export async function createRunFiles(
  http: WandbHttpClient,
  run: { entity: string; project: string; runId: string },
  files: string[],
): Promise<RunFileUploadTargets> {
  const data = await graphqlRequest<{ createRunFiles: RunFileUploadTargets | null }>(http, CREATE_RUN_FILES, {
    entity: run.entity,
    project: run.project,
    run: run.runId,
    files,
  });
  if (!data.createRunFiles) throw new Error(`CreateRunFiles for run ${run.runId} returned nothing.`);
  return { uploadHeaders: data.createRunFiles.uploadHeaders ?? [], files: data.createRunFiles.files ?? [] };
}
