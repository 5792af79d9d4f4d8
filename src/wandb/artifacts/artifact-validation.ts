/**
 * W&B's rules for artifact names, types, aliases, metadata and entry paths (reference §4.1, §4.3).
 * Each check throws `ArtifactValidationError` saying which value broke which rule.
 */

/** Raised for an artifact name, type, alias, metadata or path W&B would refuse. */
export class ArtifactValidationError extends Error {
  constructor(what: string, value: string, rule: string) {
    super(`Artifact ${what} ${JSON.stringify(value)} is not valid: ${rule}.`);
    this.name = "ArtifactValidationError";
  }
}

const NAME_CHARS = /^[A-Za-z0-9_.-]+$/;

/** Names: 1–128 of letters, digits, `_`, `-`, `.` (no `/` or `:`), not `.` or `..`. */
export function validateArtifactName(name: string): string {
  if (name.length === 0 || name.length > 128) throw new ArtifactValidationError("name", name, "a name has 1 to 128 characters");
  if (!NAME_CHARS.test(name)) {
    throw new ArtifactValidationError("name", name, "use only letters, digits, '_', '-' and '.' (no '/', ':' or spaces)");
  }
  if (name === "." || name === "..") throw new ArtifactValidationError("name", name, "'.' and '..' are not names");
  return name;
}

/** Types: 1–128 of letters, digits, `_`, `-`, `.`; W&B reserves `wandb-*`, `job`, `run_table`+`run-*`, `code`+`source-*`. */
export function validateArtifactType(type: string, name?: string): string {
  if (type.length === 0 || type.length > 128) throw new ArtifactValidationError("type", type, "a type has 1 to 128 characters");
  if (!NAME_CHARS.test(type)) throw new ArtifactValidationError("type", type, "use only letters, digits, '_', '-' and '.'");
  if (type.startsWith("wandb-") || type === "job") {
    throw new ArtifactValidationError("type", type, "types starting with 'wandb-' and the type 'job' are reserved by W&B");
  }
  if (name !== undefined && type === "run_table" && name.startsWith("run-")) {
    throw new ArtifactValidationError("name", name, "W&B reserves names starting with 'run-' for type 'run_table'");
  }
  if (name !== undefined && type === "code" && name.startsWith("source-")) {
    throw new ArtifactValidationError("name", name, "W&B reserves names starting with 'source-' for type 'code'");
  }
  return type;
}

/** Aliases: 1–128 characters without `/` or `:`; `vN` is managed by W&B and cannot be requested. */
export function validateAlias(alias: string): string {
  if (alias.length === 0 || alias.length > 128) throw new ArtifactValidationError("alias", alias, "an alias has 1 to 128 characters");
  if (/[/:]/.test(alias)) throw new ArtifactValidationError("alias", alias, "an alias cannot contain '/' or ':'");
  if (/^v\d+$/.test(alias)) throw new ArtifactValidationError("alias", alias, "'v' followed by a number is a version, assigned by W&B");
  return alias;
}

/** Metadata: a plain JSON object with at most 100 keys and no ±Infinity. Returns its JSON text. */
export function validateMetadata(metadata: Record<string, unknown>): string {
  if (typeof metadata !== "object" || metadata === null || Array.isArray(metadata)) {
    throw new ArtifactValidationError("metadata", String(metadata), "metadata must be a plain object");
  }
  const keys = Object.keys(metadata);
  if (keys.length > 100) throw new ArtifactValidationError("metadata", `{${keys.length} keys}`, "at most 100 keys are allowed");
  const text = JSON.stringify(metadata, (key, value: unknown) => {
    if (value === Infinity || value === -Infinity) {
      throw new ArtifactValidationError("metadata", key, "W&B metadata cannot hold Infinity");
    }
    if (typeof value === "function" || typeof value === "symbol" || typeof value === "bigint") {
      throw new ArtifactValidationError("metadata", key, `a ${typeof value} cannot be stored as JSON`);
    }
    return value;
  });
  return text;
}

/** Longest file name (one path segment) and whole path, in UTF-8 bytes, that common file systems take. */
const MAX_SEGMENT_BYTES = 255;
const MAX_PATH_BYTES = 4096;

/** Long values are shown by their start and length, so an error stays one readable line. */
function shown(value: string): string {
  return value.length <= 80 ? value : `${value.slice(0, 60)}… (${value.length} characters)`;
}

/**
 * Entry paths: relative POSIX paths without `.`/`..` segments or empty parts, each segment at most 255
 * bytes and the whole at most 4096 (longer ones fail on disk with a bare ENAMETOOLONG). Backslashes
 * become `/`. `artifact` names the artifact in the message when the caller knows it.
 */
export function validateEntryPath(entryPath: string, artifact?: string): string {
  const normalized = entryPath.replace(/\\/g, "/");
  const parts = normalized.split("/");
  const what = artifact === undefined ? "path" : `'${artifact}' entry path`;
  if (normalized.startsWith("/") || parts.some((p) => p === "" || p === "." || p === "..")) {
    throw new ArtifactValidationError(what, shown(entryPath), "entry paths are relative, with no '.', '..' or empty segments");
  }
  const longest = Math.max(...parts.map((p) => Buffer.byteLength(p)));
  if (longest > MAX_SEGMENT_BYTES) {
    throw new ArtifactValidationError(what, shown(entryPath), `a file or folder name is ${longest} bytes; file systems take at most ${MAX_SEGMENT_BYTES}, so shorten it`);
  }
  const total = Buffer.byteLength(normalized);
  if (total > MAX_PATH_BYTES) {
    throw new ArtifactValidationError(what, shown(entryPath), `the path is ${total} bytes; at most ${MAX_PATH_BYTES} are allowed, so shorten it`);
  }
  return normalized;
}
