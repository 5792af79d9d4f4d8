import type { Codec, EncodedValue } from "./codec.js";
import { describeType } from "./describe-type.js";
import { findPlainValueProblem } from "./plain-value.js";
import { codecFor } from "./registry.js";
import { UnserializableValueError } from "./unserializable-value-error.js";

/** A value encoded by the codec chosen for it. */
export interface EncodedWithCodec {
  codec: Codec;
  /** The codec's name for the value's type, e.g. "ColumnTable[3x2]". */
  typeName: string;
  encoded: EncodedValue;
}

/**
 * Encodes a value with the highest-priority codec that accepts it.
 * @throws UnserializableValueError naming the type (and the path inside the value) when none does.
 */
export async function encodeValue(value: unknown): Promise<EncodedWithCodec> {
  const codec = codecFor(value);
  if (!codec) {
    const problem = findPlainValueProblem(value);
    throw problem
      ? new UnserializableValueError(problem.typeName, problem.path, problem.detail)
      : new UnserializableValueError(describeType(value), "value");
  }
  return { codec, typeName: codec.typeName(value), encoded: await codec.encode(value) };
}
