/**
 * Reading the local artifact registry's JSON files with their shape checked. A registry folder may be
 * damaged (a flipped byte, a truncated copy) or come from someone else, so nothing read here is
 * trusted: a version file must hold a well-formed version whose manifest paths stay inside any
 * folder they are downloaded to, and an alias file must map aliases to version numbers.
 */
import { readFile } from "node:fs/promises";
import type { ManifestV1Json } from "../artifacts/artifact-digest.js";
import { checkManifestPaths } from "../artifacts/manifest-paths.js";
import type { StoredVersion } from "./artifact-registry.js";
import { sealedJson, unseal } from "./sealed-json.js";

/** Raised when a registry file cannot be read as what it should hold. Names the file and what to do. */
export class RegistryFileError extends Error {
  constructor(
    readonly file: string,
    readonly problem: string,
  ) {
    super(
      `The local artifact registry file ${file} is damaged: ${problem}. ` +
        "Move it aside (or restore it from a backup) and log the artifact again; other versions are not affected.",
    );
    this.name = "RegistryFileError";
  }
}

async function readText(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

function parse(file: string, text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new RegistryFileError(file, `it is not valid JSON (${(error as Error).message})`);
  }
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);
const isCount = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 0;

/** Checks every field the registry and `download()` rely on; returns a description of the first problem. */
const VERSION_FIELDS = new Set([
  "name", "type", "project", "entity", "version", "digest", "size", "description", "metadata", "manifest", "createdAt", "producer", "pendingProducer", "clientId",
]);

function versionProblem(value: Record<string, unknown>, expectedNumber: number): string | undefined {
  const unknown = Object.keys(value).find((key) => !VERSION_FIELDS.has(key));
  if (unknown !== undefined) return `it has an unknown field ${JSON.stringify(unknown)}`;
  for (const key of ["name", "type", "project", "digest", "createdAt", "clientId"]) {
    if (typeof value[key] !== "string") return `field '${key}' is not a string`;
  }
  if (value["version"] !== expectedNumber) return `it says version ${JSON.stringify(value["version"])}, its name says ${expectedNumber}`;
  if (!isCount(value["size"])) return "field 'size' is not a size";
  if (!/^[0-9a-f]{32}$/.test(value["digest"] as string)) return "field 'digest' is not an artifact digest";
  if (!isObject(value["metadata"])) return "field 'metadata' is not an object";
  const manifest = value["manifest"];
  if (!isObject(manifest) || manifest["version"] !== 1 || !isObject(manifest["contents"])) return "its manifest is not a W&B v1 manifest";
  for (const [entryPath, entry] of Object.entries(manifest["contents"])) {
    if (!isObject(entry) || typeof entry["digest"] !== "string" || (entry["size"] !== undefined && !isCount(entry["size"]))) {
      return `manifest entry ${JSON.stringify(entryPath)} is malformed`;
    }
  }
  return checkManifestPaths(manifest as unknown as ManifestV1Json);
}

/** The version stored in `file` (`versions/v<number>.json`), undefined when there is none. */
export async function readVersionFile(file: string, expectedNumber: number): Promise<StoredVersion | undefined> {
  const text = await readText(file);
  if (text === undefined) return undefined;
  const value = parse(file, text);
  if (!isObject(value)) throw new RegistryFileError(file, "it does not hold a version object");
  const opened = unseal(value);
  if ("problem" in opened) throw new RegistryFileError(file, opened.problem);
  const problem = versionProblem(opened.fields, expectedNumber);
  if (problem !== undefined) throw new RegistryFileError(file, problem);
  return opened.fields as unknown as StoredVersion;
}

/** The text of a version file: the version, sealed. */
export function versionFileText(version: StoredVersion): string {
  return sealedJson(version as unknown as Record<string, unknown>, 1);
}

const ALIASES_FORMAT = "wbflow-aliases-1";

/** The text of an alias file: the map, sealed. */
export function aliasesFileText(aliases: Record<string, number>): string {
  return sealedJson({ format: ALIASES_FORMAT, aliases });
}

/** The alias map in `file` (`aliases.json`): alias → version number; empty when there is none. */
export async function readAliasesFile(file: string): Promise<Record<string, number>> {
  const text = await readText(file);
  if (text === undefined) return {};
  const value = parse(file, text);
  if (!isObject(value)) throw new RegistryFileError(file, "it does not map aliases to version numbers");
  const opened = unseal(value);
  if ("problem" in opened) throw new RegistryFileError(file, opened.problem);
  // Files written before seals existed are a bare map; sealed ones wrap it.
  const sealed = Object.hasOwn(value, "sha256");
  const map = sealed ? opened.fields["aliases"] : opened.fields;
  const badShape = sealed && (opened.fields["format"] !== ALIASES_FORMAT || Object.keys(opened.fields).length !== 2);
  if (badShape || !isObject(map) || !Object.values(map).every(isCount)) {
    throw new RegistryFileError(file, "it does not map aliases to version numbers");
  }
  return map as Record<string, number>;
}

const SERVER_VERSIONS_FORMAT = "wbflow-server-versions-1";

/**
 * The numbers the W&B server gave this machine's contents. `byDigest`: the newest number of each
 * content (the one shown). `earlier`: older numbers of the same content — the server compares a new
 * version with its latest only, so content logged again after other content gets a new number.
 */
export interface ServerVersions {
  byDigest: Record<string, number>;
  earlier: Record<string, number[]>;
}

/** The text of a server-versions file, sealed (`earlier` only when some content has several numbers). */
export function serverVersionsFileText(versions: ServerVersions): string {
  const earlier = Object.keys(versions.earlier).length > 0 ? { earlier: versions.earlier } : {};
  return sealedJson({ format: SERVER_VERSIONS_FORMAT, byDigest: versions.byDigest, ...earlier });
}

/** The server numbers learned so far (`server-versions.json`); empty when none. */
export async function readServerVersionsFile(file: string): Promise<ServerVersions> {
  const text = await readText(file);
  if (text === undefined) return { byDigest: {}, earlier: {} };
  const value = parse(file, text);
  if (!isObject(value)) throw new RegistryFileError(file, "it does not map digests to server version numbers");
  const opened = unseal(value);
  if ("problem" in opened) throw new RegistryFileError(file, opened.problem);
  const map = opened.fields["byDigest"];
  const earlier = opened.fields["earlier"] ?? {};
  if (
    opened.fields["format"] !== SERVER_VERSIONS_FORMAT ||
    !isObject(map) ||
    !Object.values(map).every(isCount) ||
    !isObject(earlier) ||
    !Object.values(earlier).every((numbers) => Array.isArray(numbers) && numbers.every(isCount))
  ) {
    throw new RegistryFileError(file, "it does not map digests to server version numbers");
  }
  return { byDigest: map as Record<string, number>, earlier: earlier as Record<string, number[]> };
}
