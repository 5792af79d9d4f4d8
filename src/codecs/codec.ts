/**
 * The `Codec` interface: how one kind of value becomes bytes and back. Shared by the flow datastore
 * and (later) W&B artifacts, so it knows nothing of either.
 */

/**
 * Encoded bytes, either in memory or as a stream, so a multi-GB file never sits in memory.
 * `size` of a stream is the byte count when the codec knows it in advance (a plain file); a consumer
 * that stores the stream counts the bytes itself and never trusts it blindly.
 */
export type EncodedValue =
  | { bytes: Uint8Array }
  | { stream(): NodeJS.ReadableStream; size?: number };

/** Stored bytes handed back to a codec for decoding: read whole, or streamed. */
export interface EncodedSource {
  /** Reads all bytes into memory. */
  bytes(): Promise<Uint8Array>;
  /** Streams the bytes; may be called more than once. */
  stream(): NodeJS.ReadableStream;
  /** Number of stored bytes. */
  size: number;
  /**
   * sha256 hex of the bytes when the source is content-addressed. Codecs that materialise files
   * (folders, models) use it as a stable cache key so decoding twice does not extract twice.
   */
  sha?: string;
}

/** Turns values of some kind into bytes and back. */
export interface Codec<T = unknown> {
  /** Stored with every artifact so the bytes can be decoded later, e.g. "v8", "arquero", "file". */
  readonly id: string;
  /** Whether this codec handles the value. */
  canEncode(value: unknown): value is T;
  /** Human type name for messages and UI, e.g. "ColumnTable". */
  typeName(value: T): string;
  /** Encodes the value. */
  encode(value: T): Promise<EncodedValue>;
  /** Decodes bytes this codec encoded. */
  decode(encoded: EncodedSource): Promise<T>;
}
