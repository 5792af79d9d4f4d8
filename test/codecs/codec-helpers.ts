import { Readable } from "node:stream";
import { buffer } from "node:stream/consumers";
import type { Codec, EncodedSource, EncodedValue } from "../../src/codecs/index.js";

/** Turns what a codec encoded into the source a reader would hand back, all in memory. */
export async function sourceOf(encoded: EncodedValue, sha?: string): Promise<EncodedSource> {
  const bytes = "bytes" in encoded ? encoded.bytes : new Uint8Array(await buffer(encoded.stream() as Readable));
  return {
    size: bytes.byteLength,
    bytes: async () => bytes,
    stream: () => Readable.from([Buffer.from(bytes)]),
    ...(sha === undefined ? {} : { sha }),
  };
}

/** Encodes then decodes a value with a codec. */
export async function roundTrip<T>(codec: Codec<T>, value: T): Promise<T> {
  return codec.decode(await sourceOf(await codec.encode(value)));
}
