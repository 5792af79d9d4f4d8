import { deserialize, serialize } from "node:v8";
import type { Codec } from "./codec.js";
import { describeType } from "./describe-type.js";
import { findPlainValueProblem } from "./plain-value.js";
import { UnserializableValueError } from "./unserializable-value-error.js";

/**
 * Plain JS data via v8's structured serializer (the analogue of Python's pickle for plain data):
 * primitives including bigint and undefined, objects, arrays, Map, Set, Date, RegExp, Error, typed
 * arrays, Buffer, with cycles and shared references preserved. The lowest-priority built-in.
 */
export const v8Codec: Codec<unknown> = {
  id: "v8",
  canEncode(value: unknown): value is unknown {
    return findPlainValueProblem(value) === undefined;
  },
  typeName: describeType,
  async encode(value) {
    const problem = findPlainValueProblem(value);
    if (problem) throw new UnserializableValueError(problem.typeName, problem.path, problem.detail);
    return { bytes: serialize(value) };
  },
  async decode(encoded) {
    return deserialize(await encoded.bytes());
  },
};
