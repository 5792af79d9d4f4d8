/**
 * JSON files that carry the SHA-256 of their own content, so a flipped byte that still parses (a digit
 * in a version number, a letter in a digest) is caught on read instead of being returned as data.
 * The seal is a `sha256` field over `JSON.stringify` of the other fields; stringify → parse →
 * stringify is stable for plain JSON, so the reader can recompute it.
 */
import { createHash } from "node:crypto";

const SEAL = "sha256";

function digestOf(fields: Record<string, unknown>): string {
  return createHash("sha256").update(JSON.stringify(fields)).digest("hex");
}

/** `fields` plus their seal, as JSON text (indented by `indent`). */
export function sealedJson(fields: Record<string, unknown>, indent?: number): string {
  return JSON.stringify({ ...fields, [SEAL]: digestOf(fields) }, null, indent);
}

/**
 * The fields of a parsed sealed object, or a problem description when the seal does not match.
 * Objects without a seal (written before seals existed) are returned as they are.
 */
export function unseal(value: Record<string, unknown>): { fields: Record<string, unknown> } | { problem: string } {
  if (!Object.hasOwn(value, SEAL)) return { fields: value };
  const { [SEAL]: seal, ...fields } = value;
  if (seal !== digestOf(fields)) return { problem: "its content does not match its SHA-256 seal (the file was changed or damaged)" };
  return { fields };
}
