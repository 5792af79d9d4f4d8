/**
 * W&B's `wandb_internal.Record` — the subset this client writes and reads — as TypeScript types,
 * with their protobuf schemas (field numbers from W&B's `wandb_internal.proto`, reference §5.3–§5.4).
 *
 * Property names are the proto names in camelCase (`value_json` → `valueJson`). Every field is
 * optional, as in proto3: an absent field means the proto3 default. int64 fields are JS numbers
 * (safe integers). Fields this subset does not declare are skipped when decoding.
 */
import { decodeMessage, encodeMessage, messageSchema, type FieldSpec, type MessageSchema, type ScalarKind } from "./message-codec.js";

// ---------------------------------------------------------------------------------------------
// Types

/** `google.protobuf.Timestamp`. */
export interface Timestamp { seconds?: number; nanos?: number }
/** `VersionInfo`: who wrote the log and the oldest reader that understands it. */
export interface VersionInfo { producer?: string; minConsumer?: string }
export interface HeaderRecord { versionInfo?: VersionInfo }

/** One config/summary/history entry: `key`, or `nestedKey` for a nested path; the raw value as JSON text. */
export interface KeyedJsonItem { key?: string; nestedKey?: string[]; valueJson?: string }
export type ConfigItem = KeyedJsonItem;
export type SummaryItem = KeyedJsonItem;
export type HistoryItem = KeyedJsonItem;
export interface ConfigRecord { update?: ConfigItem[]; remove?: ConfigItem[] }
export interface SummaryRecord { update?: SummaryItem[]; remove?: SummaryItem[] }
export interface HistoryStep { num?: number }
/** One history row; the row uploaded at sync is built only from `item`, so `_step` etc. are items too. */
export interface HistoryRecord { item?: HistoryItem[]; step?: HistoryStep }

export interface SettingsItem { key?: string; valueJson?: string }
export interface SettingsRecord { item?: SettingsItem[] }
export interface GitRepoRecord { remoteUrl?: string; commit?: string }
/** `TelemetryRecord` (wandb_telemetry.proto): only the version strings. */
export interface TelemetryRecord { pythonVersion?: string; cliVersion?: string; coreVersion?: string; platform?: string }

export interface RunRecord {
  runId?: string;
  entity?: string;
  project?: string;
  config?: ConfigRecord;
  summary?: SummaryRecord;
  runGroup?: string;
  jobType?: string;
  displayName?: string;
  notes?: string;
  tags?: string[];
  settings?: SettingsRecord;
  sweepId?: string;
  host?: string;
  startingStep?: number;
  storageId?: string;
  startTime?: Timestamp;
  resumed?: boolean;
  telemetry?: TelemetryRecord;
  runtime?: number;
  git?: GitRepoRecord;
  forked?: boolean;
}

/** `OutputRecord.OutputType`. */
export const OutputType = { stderr: 0, stdout: 1 } as const;
/** Console output (`output_raw`: a raw chunk of terminal text including `\n`/`\r`; `output`: one line). */
export interface OutputRecord { outputType?: number; timestamp?: Timestamp; line?: string }
export interface OutputLoggerRecord { line?: string }

/** `FilesItem.PolicyType` and `FilesItem.FileType`. */
export const FilePolicy = { now: 0, end: 1, live: 2 } as const;
export const FileType = { other: 0, wandb: 1, media: 2, artifact: 3 } as const;
export interface FilesItem { path?: string; policy?: number; type?: number }
export interface FilesRecord { files?: FilesItem[] }

export interface StatsItem { key?: string; valueJson?: string }
export interface StatsRecord { statsType?: number; timestamp?: Timestamp; item?: StatsItem[] }

export interface StoragePolicyConfigItem { key?: string; valueJson?: string }
export interface ExtraItem { key?: string; valueJson?: string }
export interface ArtifactManifestEntry {
  path?: string;
  /** base64 MD5 of the file (or the reference's digest). */
  digest?: string;
  ref?: string;
  size?: number;
  mimetype?: string;
  /** Absolute path of the bytes to upload at sync: always a staging copy. */
  localPath?: string;
  birthArtifactId?: string;
  skipCache?: boolean;
  extra?: ExtraItem[];
}
export interface ArtifactManifest {
  version?: number;
  storagePolicy?: string;
  storagePolicyConfig?: StoragePolicyConfigItem[];
  contents?: ArtifactManifestEntry[];
  manifestFilePath?: string;
}
export interface ArtifactRecord {
  runId?: string;
  project?: string;
  entity?: string;
  type?: string;
  name?: string;
  /** Hex artifact digest (reference §4.4). */
  digest?: string;
  description?: string;
  /** JSON object text. */
  metadata?: string;
  userCreated?: boolean;
  useAfterCommit?: boolean;
  aliases?: string[];
  manifest?: ArtifactManifest;
  distributedId?: string;
  /** Must be true for the version to be committed at sync. */
  finalize?: boolean;
  clientId?: string;
  sequenceClientId?: string;
  baseId?: string;
  ttlDurationSeconds?: number;
  tags?: string[];
}
export interface UseArtifactRecord { id?: string; type?: string; name?: string }
export interface RunExitRecord { exitCode?: number; runtime?: number; notComplete?: boolean }
export interface AlertRecord { title?: string; text?: string; level?: string; waitDuration?: number }
export interface EnvironmentRecord {
  os?: string;
  python?: string;
  startedAt?: Timestamp;
  args?: string[];
  program?: string;
  root?: string;
  host?: string;
  username?: string;
  executable?: string;
  cpuCount?: number;
  writerId?: string;
}
/** Records with no fields of their own (`final`, `footer`, `preempting`). */
export type EmptyRecord = Record<string, never>;

/** `Control`: delivery hints; a file writer only ever sets `alwaysSend` on `exit`. */
export interface Control {
  reqResp?: boolean;
  /** Records marked local are never persisted. */
  local?: boolean;
  relayId?: string;
  mailboxSlot?: string;
  alwaysSend?: boolean;
  flowControl?: boolean;
  endOffset?: number;
  connectionId?: string;
}

/** The `record_type` oneof: which kind of record this is and its payload. */
export type RecordBody =
  | { type: "history"; history: HistoryRecord }
  | { type: "summary"; summary: SummaryRecord }
  | { type: "output"; output: OutputRecord }
  | { type: "config"; config: ConfigRecord }
  | { type: "files"; files: FilesRecord }
  | { type: "stats"; stats: StatsRecord }
  | { type: "artifact"; artifact: ArtifactRecord }
  | { type: "alert"; alert: AlertRecord }
  | { type: "telemetry"; telemetry: TelemetryRecord }
  | { type: "outputRaw"; outputRaw: OutputRecord }
  | { type: "run"; run: RunRecord }
  | { type: "exit"; exit: RunExitRecord }
  | { type: "final"; final: EmptyRecord }
  | { type: "header"; header: HeaderRecord }
  | { type: "footer"; footer: EmptyRecord }
  | { type: "preempting"; preempting: EmptyRecord }
  | { type: "useArtifact"; useArtifact: UseArtifactRecord }
  | { type: "environment"; environment: EnvironmentRecord }
  | { type: "outputLogger"; outputLogger: OutputLoggerRecord }
  /** A record type outside this subset (e.g. `metric`, `tbrecord`): read past, never written. */
  | { type: "unsupported" };

/** Envelope fields shared by every record. `num` is assigned 1, 2, 3… by the log writer. */
export interface RecordEnvelope { num?: number; control?: Control; uuid?: string }

/** One `wandb_internal.Record`. */
export type WandbRecord = RecordEnvelope & RecordBody;
/** The names of the record kinds this subset knows. */
export type RecordType = Exclude<RecordBody["type"], "unsupported">;

// ---------------------------------------------------------------------------------------------
// Schemas (the .proto subset). Field numbers are W&B's.

function field(no: number, name: string, kind: ScalarKind | MessageSchema, repeated = false): FieldSpec {
  return { no, name, kind: typeof kind === "string" ? kind : () => kind, repeated };
}

const timestamp = messageSchema("Timestamp", [field(1, "seconds", "int"), field(2, "nanos", "int")]);
const versionInfo = messageSchema("VersionInfo", [field(1, "producer", "string"), field(2, "minConsumer", "string")]);
const header = messageSchema("HeaderRecord", [field(1, "versionInfo", versionInfo)]);
const keyedJsonItem = (name: string): MessageSchema =>
  messageSchema(name, [field(1, "key", "string"), field(2, "nestedKey", "string", true), field(16, "valueJson", "string")]);
const updateRemove = (name: string, item: MessageSchema): MessageSchema =>
  messageSchema(name, [field(1, "update", item, true), field(2, "remove", item, true)]);
const config = updateRemove("ConfigRecord", keyedJsonItem("ConfigItem"));
const summary = updateRemove("SummaryRecord", keyedJsonItem("SummaryItem"));
const history = messageSchema("HistoryRecord", [
  field(1, "item", keyedJsonItem("HistoryItem"), true),
  field(2, "step", messageSchema("HistoryStep", [field(1, "num", "int")])),
]);
const settings = messageSchema("SettingsRecord", [
  field(1, "item", messageSchema("SettingsItem", [field(1, "key", "string"), field(16, "valueJson", "string")]), true),
]);
const telemetry = messageSchema("TelemetryRecord", [
  field(4, "pythonVersion", "string"),
  field(5, "cliVersion", "string"),
  field(12, "coreVersion", "string"),
  field(13, "platform", "string"),
]);
const run = messageSchema("RunRecord", [
  field(1, "runId", "string"),
  field(2, "entity", "string"),
  field(3, "project", "string"),
  field(4, "config", config),
  field(5, "summary", summary),
  field(6, "runGroup", "string"),
  field(7, "jobType", "string"),
  field(8, "displayName", "string"),
  field(9, "notes", "string"),
  field(10, "tags", "string", true),
  field(11, "settings", settings),
  field(12, "sweepId", "string"),
  field(13, "host", "string"),
  field(14, "startingStep", "int"),
  field(16, "storageId", "string"),
  field(17, "startTime", timestamp),
  field(18, "resumed", "bool"),
  field(19, "telemetry", telemetry),
  field(20, "runtime", "int"),
  field(21, "git", messageSchema("GitRepoRecord", [field(1, "remoteUrl", "string"), field(2, "commit", "string")])),
  field(22, "forked", "bool"),
]);
const output = messageSchema("OutputRecord", [
  field(1, "outputType", "int"),
  field(2, "timestamp", timestamp),
  field(3, "line", "string"),
]);
const files = messageSchema("FilesRecord", [
  field(1, "files", messageSchema("FilesItem", [field(1, "path", "string"), field(2, "policy", "int"), field(3, "type", "int")]), true),
]);
const stats = messageSchema("StatsRecord", [
  field(1, "statsType", "int"),
  field(2, "timestamp", timestamp),
  field(3, "item", messageSchema("StatsItem", [field(1, "key", "string"), field(16, "valueJson", "string")]), true),
]);
const keyValueJson2 = (name: string): MessageSchema =>
  messageSchema(name, [field(1, "key", "string"), field(2, "valueJson", "string")]);
const manifestEntry = messageSchema("ArtifactManifestEntry", [
  field(1, "path", "string"),
  field(2, "digest", "string"),
  field(3, "ref", "string"),
  field(4, "size", "int"),
  field(5, "mimetype", "string"),
  field(6, "localPath", "string"),
  field(7, "birthArtifactId", "string"),
  field(8, "skipCache", "bool"),
  field(16, "extra", keyValueJson2("ExtraItem"), true),
]);
const manifest = messageSchema("ArtifactManifest", [
  field(1, "version", "int"),
  field(2, "storagePolicy", "string"),
  field(3, "storagePolicyConfig", keyValueJson2("StoragePolicyConfigItem"), true),
  field(4, "contents", manifestEntry, true),
  field(5, "manifestFilePath", "string"),
]);
const artifact = messageSchema("ArtifactRecord", [
  field(1, "runId", "string"),
  field(2, "project", "string"),
  field(3, "entity", "string"),
  field(4, "type", "string"),
  field(5, "name", "string"),
  field(6, "digest", "string"),
  field(7, "description", "string"),
  field(8, "metadata", "string"),
  field(9, "userCreated", "bool"),
  field(10, "useAfterCommit", "bool"),
  field(11, "aliases", "string", true),
  field(12, "manifest", manifest),
  field(13, "distributedId", "string"),
  field(14, "finalize", "bool"),
  field(15, "clientId", "string"),
  field(16, "sequenceClientId", "string"),
  field(17, "baseId", "string"),
  field(18, "ttlDurationSeconds", "int"),
  field(19, "tags", "string", true),
]);
const alert = messageSchema("AlertRecord", [
  field(1, "title", "string"),
  field(2, "text", "string"),
  field(3, "level", "string"),
  field(4, "waitDuration", "int"),
]);
const exit = messageSchema("RunExitRecord", [field(1, "exitCode", "int"), field(2, "runtime", "int"), field(3, "notComplete", "bool")]);
const empty = (name: string): MessageSchema => messageSchema(name, []);
const useArtifact = messageSchema("UseArtifactRecord", [field(1, "id", "string"), field(2, "type", "string"), field(3, "name", "string")]);
const environment = messageSchema("EnvironmentRecord", [
  field(1, "os", "string"),
  field(2, "python", "string"),
  field(3, "startedAt", timestamp),
  field(5, "args", "string", true),
  field(6, "program", "string"),
  field(11, "root", "string"),
  field(12, "host", "string"),
  field(13, "username", "string"),
  field(14, "executable", "string"),
  field(16, "cpuCount", "int"),
  field(199, "writerId", "string"),
]);
const outputLogger = messageSchema("OutputLoggerRecord", [field(1, "line", "string")]);
const control = messageSchema("Control", [
  field(1, "reqResp", "bool"),
  field(2, "local", "bool"),
  field(3, "relayId", "string"),
  field(4, "mailboxSlot", "string"),
  field(5, "alwaysSend", "bool"),
  field(6, "flowControl", "bool"),
  field(7, "endOffset", "int"),
  field(8, "connectionId", "string"),
]);

/** The `record_type` oneof members: record type → (field number, schema). */
const recordTypes: Record<RecordType, { no: number; schema: MessageSchema }> = {
  history: { no: 2, schema: history },
  summary: { no: 3, schema: summary },
  output: { no: 4, schema: output },
  config: { no: 5, schema: config },
  files: { no: 6, schema: files },
  stats: { no: 7, schema: stats },
  artifact: { no: 8, schema: artifact },
  alert: { no: 10, schema: alert },
  telemetry: { no: 11, schema: telemetry },
  outputRaw: { no: 13, schema: output },
  run: { no: 17, schema: run },
  exit: { no: 18, schema: exit },
  final: { no: 20, schema: empty("FinalRecord") },
  header: { no: 21, schema: header },
  footer: { no: 22, schema: empty("FooterRecord") },
  preempting: { no: 23, schema: empty("RunPreemptingRecord") },
  useArtifact: { no: 25, schema: useArtifact },
  environment: { no: 26, schema: environment },
  outputLogger: { no: 27, schema: outputLogger },
};

const recordSchema = messageSchema("Record", [
  field(1, "num", "int"),
  field(16, "control", control),
  field(19, "uuid", "string"),
  ...Object.entries(recordTypes).map(([name, { no, schema }]) => field(no, name, schema)),
]);

const recordTypeNames = Object.keys(recordTypes) as RecordType[];

/** Serializes a record to the bytes of a `wandb_internal.Record`. */
export function encodeRecord(record: WandbRecord): Uint8Array {
  if (record.type === "unsupported") {
    throw new TypeError("encodeRecord: a record of an unsupported type was read, not built; it cannot be written back");
  }
  const { type, num, control, uuid } = record;
  const body = (record as unknown as Record<string, unknown>)[type];
  return encodeMessage(recordSchema, { num, control, uuid, [type]: body });
}

/** Parses the bytes of a `wandb_internal.Record`. Throws `ProtoDecodeError` on malformed bytes. */
export function decodeRecord(bytes: Uint8Array): WandbRecord {
  const loose = decodeMessage<Record<string, unknown>>(recordSchema, bytes);
  const envelope: RecordEnvelope = {};
  if (loose["num"] !== undefined) envelope.num = loose["num"] as number;
  if (loose["control"] !== undefined) envelope.control = loose["control"] as Control;
  if (loose["uuid"] !== undefined) envelope.uuid = loose["uuid"] as string;
  // A well-formed record sets exactly one member of the oneof.
  const found = recordTypeNames.find((name) => loose[name] !== undefined);
  if (!found) return { ...envelope, type: "unsupported" };
  return { ...envelope, type: found, [found]: loose[found] } as WandbRecord;
}
