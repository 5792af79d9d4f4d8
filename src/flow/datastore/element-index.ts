/**
 * Foreach element index: a derived file beside a list blob that lets one split read only its own
 * element, so an n-way foreach costs O(n) in total instead of every split decoding the whole list.
 *
 * `<data>/<sha[:2]>/<sha>.elements` (sha = the list blob's) holds each element encoded on its own
 * with the v8 codec, in the list's iteration order:
 *
 * ```
 * header   64 bytes  "WBFELEM1", u32 count, u32 0, the list blob's sha256 (32 raw bytes), 16 zero bytes
 * entries  count x 32 bytes: f64 offset into the data, u32 length, u32 0, first 16 bytes of the element's sha256
 * data     the encoded elements, back to back
 * ```
 *
 * It is a cache: written atomically by whichever task first needs it (deterministic content, so
 * concurrent writers agree), rebuilt from the verified list blob when it is missing or fails a
 * check, and removed by garbage collection with its list. Old stores without it stay readable.
 */
import { createHash } from "node:crypto";
import { closeSync, openSync, readSync } from "node:fs";
import { deserialize, serialize } from "node:v8";
import { writeFileAtomic } from "../../core/atomic-write.js";

const MAGIC = "WBFELEM1";
const HEADER_BYTES = 64;
const ENTRY_BYTES = 32;
const ELEMENT_HASH_BYTES = 16;

/** File name suffix of an element index beside its list blob. */
export const ELEMENT_INDEX_SUFFIX = ".elements";

/** Why an element index could not answer (it is then rebuilt from the list). */
class StaleElementIndex extends Error {}

/** Encodes every element of a list into an element index for the blob `listSha`. */
export function encodeElementIndex(listSha: string, elements: readonly unknown[]): Uint8Array {
  const encoded = elements.map((element) => serialize(element));
  const dataBytes = encoded.reduce((sum, bytes) => sum + bytes.byteLength, 0);
  const out = Buffer.alloc(HEADER_BYTES + ENTRY_BYTES * encoded.length + dataBytes);
  out.write(MAGIC, 0, "latin1");
  out.writeUInt32LE(encoded.length, 8);
  Buffer.from(listSha, "hex").copy(out, 16);
  let offset = 0;
  const dataStart = HEADER_BYTES + ENTRY_BYTES * encoded.length;
  encoded.forEach((bytes, i) => {
    const entry = HEADER_BYTES + ENTRY_BYTES * i;
    out.writeDoubleLE(offset, entry);
    out.writeUInt32LE(bytes.byteLength, entry + 8);
    elementHash(bytes).copy(out, entry + 16);
    bytes.copy(out, dataStart + offset);
    offset += bytes.byteLength;
  });
  return out;
}

/** Writes an element index file atomically. */
export async function writeElementIndex(path: string, listSha: string, elements: readonly unknown[]): Promise<void> {
  await writeFileAtomic(path, encodeElementIndex(listSha, elements));
}

/**
 * Reads element `index` from the element index at `path`, checking it belongs to `listSha` and that
 * the element's bytes match their hash. Returns undefined when the file is missing or fails a check.
 */
export function readIndexedElement(path: string, listSha: string, index: number): { value: unknown } | undefined {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  try {
    return { value: readElement(fd, listSha, index) };
  } catch (error) {
    if (error instanceof StaleElementIndex) return undefined;
    throw error;
  } finally {
    closeSync(fd);
  }
}

function readElement(fd: number, listSha: string, index: number): unknown {
  const header = readExactly(fd, 0, HEADER_BYTES);
  const count = header.readUInt32LE(8);
  if (header.toString("latin1", 0, 8) !== MAGIC || header.subarray(16, 48).toString("hex") !== listSha) {
    throw new StaleElementIndex();
  }
  if (!Number.isInteger(index) || index < 0 || index >= count) throw new StaleElementIndex();
  const entry = readExactly(fd, HEADER_BYTES + ENTRY_BYTES * index, ENTRY_BYTES);
  const offset = entry.readDoubleLE(0);
  const length = entry.readUInt32LE(8);
  if (!Number.isSafeInteger(offset) || offset < 0) throw new StaleElementIndex();
  const bytes = readExactly(fd, HEADER_BYTES + ENTRY_BYTES * count + offset, length);
  if (!elementHash(bytes).equals(entry.subarray(16, 16 + ELEMENT_HASH_BYTES))) throw new StaleElementIndex();
  return deserialize(bytes);
}

function readExactly(fd: number, position: number, length: number): Buffer {
  const buffer = Buffer.alloc(length);
  let filled = 0;
  while (filled < length) {
    const read = readSync(fd, buffer, filled, length - filled, position + filled);
    if (read === 0) throw new StaleElementIndex(); // truncated
    filled += read;
  }
  return buffer;
}

function elementHash(bytes: Uint8Array): Buffer {
  return createHash("sha256").update(bytes).digest().subarray(0, ELEMENT_HASH_BYTES);
}

/** Index builds in progress in this process, by path, so concurrent splits build once. */
const building = new Map<string, Promise<boolean>>();

/**
 * Element `index` of the list blob `listSha`, read through its element index at `path`; the index
 * is built (or rebuilt after a failed check) from `decodeList()`. Returns undefined when the decoded
 * value is not iterable (the caller reports that).
 */
export async function readListElement(
  path: string,
  listSha: string,
  index: number,
  decodeList: () => Promise<unknown>,
): Promise<{ value: unknown } | undefined> {
  const found = readIndexedElement(path, listSha, index);
  if (found) return found;
  let build = building.get(path);
  if (!build) {
    build = (async () => {
      const list = await decodeList();
      if (!isIterable(list)) return false;
      await writeElementIndex(path, listSha, Array.from(list));
      return true;
    })().finally(() => building.delete(path));
    building.set(path, build);
  }
  if (!(await build)) return undefined;
  return readIndexedElement(path, listSha, index) ?? { value: undefined };
}

function isIterable(value: unknown): value is Iterable<unknown> {
  return value !== null && value !== undefined && typeof (value as { [Symbol.iterator]?: unknown })[Symbol.iterator] === "function";
}
