import { deserialize, serialize } from "node:v8";
import type { Codec } from "./codec.js";
import { describeType } from "./describe-type.js";
import { findPlainValueProblem } from "./plain-value.js";
import { UnserializableValueError } from "./unserializable-value-error.js";

/**
 * Objects `canEncode` just walked and accepted. `encodeValue` calls `canEncode` then `encode`
 * synchronously in a row, so `encode` can skip a second walk of a big value.
 */
const justChecked = new WeakSet<object>();

/**
 * Plain JS data via v8's structured serializer (the analogue of Python's pickle for plain data):
 * primitives including bigint and undefined, objects, arrays, Map, Set, Date, RegExp, Error, typed
 * arrays, Buffer, with cycles and shared references preserved. The lowest-priority built-in.
 */
export const v8Codec: Codec<unknown> = {
  id: "v8",
  canEncode(value: unknown): value is unknown {
    const plain = findPlainValueProblem(value) === undefined;
    if (plain && typeof value === "object" && value !== null) justChecked.add(value);
    return plain;
  },
  typeName: describeType,
  async encode(value) {
    const checked = typeof value === "object" && value !== null && justChecked.delete(value);
    const problem = checked ? undefined : findPlainValueProblem(value);
    if (problem) throw new UnserializableValueError(problem.typeName, problem.path, problem.detail);
    return { bytes: serialize(value) };
  },
  async decode(encoded) {
    return deserialize(await encoded.bytes());
  },
};
