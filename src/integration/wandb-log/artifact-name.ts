/**
 * Artifact names from attribute names. W&B accepts 1–128 characters of letters, digits, `_`, `-` and
 * `.`; a JavaScript attribute may hold any character (`this.données`, `this["test score"]`,
 * `this.$cache`). The rules, in order:
 *
 * 1. A name W&B accepts is used unchanged.
 * 2. Accented Latin letters lose their accents (Unicode NFKD, combining marks dropped): `données` →
 *    `donnees`. This alone keeps the name readable and adds nothing else (so `données` and `donnees`
 *    in one project would share a collection; their versions still stay apart by exact version).
 * 3. Every other character W&B refuses becomes `_`, and — because two attributes could then meet on
 *    one name (`数据` and `模型` both become `__`) — a `-` and the first 8 hex digits of the SHA-256 of
 *    the original attribute name are appended: `test score` → `test_score-57aa343b`.
 * 4. A name longer than 128 characters is cut to 119 and gets the same 9-character suffix.
 *
 * The artifact's metadata keeps the original attribute name (`wbflow.attribute`).
 */
import { createHash } from "node:crypto";

const MAX_LENGTH = 128;
const ALLOWED = /^[A-Za-z0-9_.-]+$/;

function suffixFor(attribute: string): string {
  return `-${createHash("sha256").update(attribute, "utf8").digest("hex").slice(0, 8)}`;
}

function isAcceptable(name: string): boolean {
  return name.length > 0 && name.length <= MAX_LENGTH && ALLOWED.test(name) && name !== "." && name !== "..";
}

/** The W&B artifact name for an attribute name (see the module comment for the rules). */
export function artifactNameFor(attribute: string): string {
  if (isAcceptable(attribute)) return attribute;
  const folded = attribute.normalize("NFKD").replace(/\p{M}/gu, "");
  if (isAcceptable(folded)) return folded;
  const replaced = folded.replace(/[^A-Za-z0-9_.-]/g, "_");
  const suffix = suffixFor(attribute);
  return `${replaced.slice(0, MAX_LENGTH - suffix.length)}${suffix}`;
}
