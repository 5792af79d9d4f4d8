/**
 * Protocol Buffers wire format (proto3): the byte-level writer and reader used by the message codec.
 * Only what W&B's `Record` subset needs: varints (int32/int64/bool/enum), 64-bit doubles and
 * length-delimited fields (strings, bytes, sub-messages).
 */

/** Wire types of the protobuf encoding. */
export const WireType = { varint: 0, fixed64: 1, lengthDelimited: 2, fixed32: 5 } as const;

/** Raised when bytes that should hold a protobuf message do not. */
export class ProtoDecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ProtoDecodeError";
  }
}

const textDecoder = new TextDecoder("utf-8", { fatal: true });

/** Growable byte buffer that appends protobuf primitives. */
export class ProtoWriter {
  private buffer = Buffer.allocUnsafe(256);
  private length = 0;

  private reserve(extra: number): void {
    if (this.length + extra <= this.buffer.length) return;
    let size = this.buffer.length * 2;
    while (size < this.length + extra) size *= 2;
    const grown = Buffer.allocUnsafe(size);
    this.buffer.copy(grown, 0, 0, this.length);
    this.buffer = grown;
  }

  /** Field key: `(fieldNumber << 3) | wireType`. */
  tag(fieldNumber: number, wireType: number): void {
    this.varint(fieldNumber * 8 + wireType);
  }

  /**
   * Unsigned varint of a safe integer; negative values are written as 64-bit two's complement
   * (ten bytes), as proto3 does for negative int32/int64.
   */
  varint(value: number): void {
    if (!Number.isSafeInteger(value)) {
      throw new RangeError(`protobuf varint must be a safe integer, got ${value}`);
    }
    this.reserve(10);
    if (value >= 0 && value <= 0x7fffffff) {
      // Fast path for the common case (tags, lengths, small ints): plain number arithmetic.
      while (value > 0x7f) {
        this.buffer[this.length++] = (value & 0x7f) | 0x80;
        value >>>= 7;
      }
      this.buffer[this.length++] = value;
      return;
    }
    let big = BigInt(value);
    if (big < 0n) big += 1n << 64n;
    while (big >= 0x80n) {
      this.buffer[this.length++] = Number(big & 0x7fn) | 0x80;
      big >>= 7n;
    }
    this.buffer[this.length++] = Number(big);
  }

  double(value: number): void {
    this.reserve(8);
    this.buffer.writeDoubleLE(value, this.length);
    this.length += 8;
  }

  bytes(value: Uint8Array): void {
    this.varint(value.length);
    this.reserve(value.length);
    this.buffer.set(value, this.length);
    this.length += value.length;
  }

  /** A length-prefixed UTF-8 string, encoded straight into the buffer. */
  string(value: string): void {
    const size = Buffer.byteLength(value, "utf8");
    this.varint(size);
    this.reserve(size);
    this.length += this.buffer.write(value, this.length, "utf8");
  }

  /**
   * Writes a length-delimited field whose content `writeContent` appends to this same writer (no
   * intermediate buffer): one byte is kept for the length, and the content is moved if the length
   * needs more.
   */
  nested(writeContent: () => void): void {
    this.reserve(1);
    const lengthAt = this.length++;
    writeContent();
    const size = this.length - lengthAt - 1;
    if (size < 0x80) {
      this.buffer[lengthAt] = size;
      return;
    }
    let lengthBytes = 1;
    for (let rest = size; rest >= 0x80; rest = Math.floor(rest / 128)) lengthBytes++;
    this.reserve(lengthBytes - 1);
    this.buffer.copy(this.buffer, lengthAt + lengthBytes, lengthAt + 1, this.length);
    this.length += lengthBytes - 1;
    let at = lengthAt;
    let rest = size;
    while (rest >= 0x80) {
      this.buffer[at++] = (rest % 0x80) | 0x80;
      rest = Math.floor(rest / 0x80);
    }
    this.buffer[at] = rest;
  }

  /** The bytes written so far (a copy-free view). */
  finish(): Uint8Array {
    return this.buffer.subarray(0, this.length);
  }
}

/** Sequential reader of protobuf primitives over one message's bytes. */
export class ProtoReader {
  private position = 0;

  constructor(private readonly data: Uint8Array) {}

  get done(): boolean {
    return this.position >= this.data.length;
  }

  private need(count: number): void {
    if (this.position + count > this.data.length) {
      throw new ProtoDecodeError(
        `protobuf message ends early: need ${count} byte(s) at offset ${this.position} of ${this.data.length}`,
      );
    }
  }

  /** Reads a varint as a number (64-bit values above 2^63 are read back as negative two's complement). */
  varint(): number {
    // Fast path: up to four bytes (values below 2^28) need no BigInt.
    let small = 0;
    for (let i = 0; i < 4; i++) {
      if (this.position + i >= this.data.length) break;
      const byte = this.data[this.position + i]!;
      small |= (byte & 0x7f) << (7 * i);
      if ((byte & 0x80) === 0) {
        this.position += i + 1;
        return small;
      }
    }
    let result = 0n;
    let shift = 0n;
    for (;;) {
      this.need(1);
      const byte = this.data[this.position++]!;
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) break;
      shift += 7n;
      if (shift > 63n) throw new ProtoDecodeError(`varint longer than 10 bytes at offset ${this.position}`);
    }
    if (result >= 1n << 63n) result -= 1n << 64n;
    return Number(result);
  }

  tag(): { fieldNumber: number; wireType: number } {
    const key = this.varint();
    return { fieldNumber: Math.floor(key / 8), wireType: key & 7 };
  }

  double(): number {
    this.need(8);
    const value = new DataView(this.data.buffer, this.data.byteOffset + this.position, 8).getFloat64(0, true);
    this.position += 8;
    return value;
  }

  bytes(): Uint8Array {
    const length = this.varint();
    this.need(length);
    const value = this.data.subarray(this.position, this.position + length);
    this.position += length;
    return value;
  }

  string(): string {
    try {
      return textDecoder.decode(this.bytes());
    } catch (error) {
      if (error instanceof ProtoDecodeError) throw error;
      throw new ProtoDecodeError(`protobuf string field is not valid UTF-8 (before offset ${this.position})`);
    }
  }

  /** Skips a field of an unknown number (e.g. W&B's `_info`, or fields newer than this subset). */
  skip(wireType: number): void {
    switch (wireType) {
      case WireType.varint:
        this.varint();
        return;
      case WireType.fixed64:
        this.need(8);
        this.position += 8;
        return;
      case WireType.lengthDelimited:
        this.bytes();
        return;
      case WireType.fixed32:
        this.need(4);
        this.position += 4;
        return;
      default:
        throw new ProtoDecodeError(`unsupported protobuf wire type ${wireType} at offset ${this.position}`);
    }
  }
}
