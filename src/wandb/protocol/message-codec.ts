/**
 * A schema-driven proto3 codec: a message is described by its fields (number, name, kind), and the
 * same description drives encoding and decoding. This is the repository's `.proto` subset written as
 * data, so the field numbers sit next to each other and can be checked against W&B's
 * `wandb_internal.proto` at a glance.
 */
import { ProtoDecodeError, ProtoReader, ProtoWriter, WireType } from "./wire.js";

/** Scalar kinds used by W&B's records. `int` covers int32/int64/uint32/enum (all varints). */
export type ScalarKind = "string" | "bytes" | "bool" | "int" | "double";

/** One field of a message. */
export interface FieldSpec {
  /** Field number in the .proto file. */
  readonly no: number;
  /** Property name on the TypeScript object. */
  readonly name: string;
  /** A scalar kind, or a function returning the sub-message schema (a thunk, so schemas may refer forward). */
  readonly kind: ScalarKind | (() => MessageSchema);
  readonly repeated?: boolean;
}

/** A message: its name (for error messages) and its fields. */
export interface MessageSchema {
  readonly name: string;
  readonly fields: readonly FieldSpec[];
}

/** Builds a schema, sorting fields by number: proto encoders write fields in that order. */
export function messageSchema(name: string, fields: FieldSpec[]): MessageSchema {
  return { name, fields: [...fields].sort((a, b) => a.no - b.no) };
}

type Loose = Record<string, unknown>;

function isDefault(kind: ScalarKind, value: unknown): boolean {
  switch (kind) {
    case "string":
      return value === "";
    case "bytes":
      return (value as Uint8Array).length === 0;
    case "bool":
      return value === false;
    case "int":
    case "double":
      return value === 0 && !Object.is(value, -0);
  }
}

function writeScalar(writer: ProtoWriter, field: FieldSpec, kind: ScalarKind, value: unknown): void {
  switch (kind) {
    case "string":
      writer.tag(field.no, WireType.lengthDelimited);
      writer.string(value as string);
      return;
    case "bytes":
      writer.tag(field.no, WireType.lengthDelimited);
      writer.bytes(value as Uint8Array);
      return;
    case "bool":
      writer.tag(field.no, WireType.varint);
      writer.varint(value ? 1 : 0);
      return;
    case "int":
      writer.tag(field.no, WireType.varint);
      writer.varint(value as number);
      return;
    case "double":
      writer.tag(field.no, WireType.fixed64);
      writer.double(value as number);
      return;
  }
}

function writeMessage(writer: ProtoWriter, schema: MessageSchema, message: Loose): void {
  for (const field of schema.fields) {
    const value = message[field.name];
    if (value === undefined || value === null) continue;
    const values = field.repeated ? (value as unknown[]) : [value];
    for (const item of values) {
      if (typeof field.kind === "function") {
        const schema = field.kind();
        writer.tag(field.no, WireType.lengthDelimited);
        writer.nested(() => writeMessage(writer, schema, item as Loose));
      } else if (field.repeated || !isDefault(field.kind, item)) {
        // proto3 omits singular scalars at their default value; repeated ones are always written.
        writeScalar(writer, field, field.kind, item);
      }
    }
  }
}

/** Encodes `message` with `schema`: fields in number order, proto3 defaults omitted. */
export function encodeMessage(schema: MessageSchema, message: object): Uint8Array {
  const writer = new ProtoWriter();
  writeMessage(writer, schema, message as Loose);
  return writer.finish();
}

const expectedWireType: Record<ScalarKind, number> = {
  string: WireType.lengthDelimited,
  bytes: WireType.lengthDelimited,
  bool: WireType.varint,
  int: WireType.varint,
  double: WireType.fixed64,
};

function readScalar(reader: ProtoReader, kind: ScalarKind): unknown {
  switch (kind) {
    case "string":
      return reader.string();
    case "bytes":
      return new Uint8Array(reader.bytes()); // a copy, even when the input is a Node Buffer
    case "bool":
      return reader.varint() !== 0;
    case "int":
      return reader.varint();
    case "double":
      return reader.double();
  }
}

/**
 * Decodes bytes into a plain object shaped by `schema`. Unknown field numbers are skipped (W&B's
 * `_info` and newer fields); repeated fields become arrays; absent fields stay undefined.
 */
export function decodeMessage<T>(schema: MessageSchema, data: Uint8Array): T {
  const reader = new ProtoReader(data);
  const result: Loose = {};
  const byNumber = new Map(schema.fields.map((f) => [f.no, f]));
  while (!reader.done) {
    const { fieldNumber, wireType } = reader.tag();
    const field = byNumber.get(fieldNumber);
    if (!field) {
      reader.skip(wireType);
      continue;
    }
    let value: unknown;
    if (typeof field.kind === "function") {
      if (wireType !== WireType.lengthDelimited) throw wrongWireType(schema, field, wireType);
      value = decodeMessage(field.kind(), reader.bytes());
    } else if (field.repeated && wireType === WireType.lengthDelimited && expectedWireType[field.kind] !== wireType) {
      // A packed repeated numeric field: several values in one length-delimited block.
      const packed = new ProtoReader(reader.bytes());
      const list = (result[field.name] ??= []) as unknown[];
      while (!packed.done) list.push(readScalar(packed, field.kind));
      continue;
    } else {
      if (expectedWireType[field.kind] !== wireType) throw wrongWireType(schema, field, wireType);
      value = readScalar(reader, field.kind);
    }
    if (field.repeated) ((result[field.name] ??= []) as unknown[]).push(value);
    else result[field.name] = value;
  }
  return result as T;
}

function wrongWireType(schema: MessageSchema, field: FieldSpec, wireType: number): ProtoDecodeError {
  return new ProtoDecodeError(
    `${schema.name}.${field.name} (field ${field.no}) has wire type ${wireType}, which does not match its declared kind`,
  );
}
