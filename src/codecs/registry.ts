import type { Codec } from "./codec.js";

/** Priority of codecs registered without one: above every built-in, so user codecs win. */
export const USER_CODEC_PRIORITY = 100;

interface RegisteredCodec {
  codec: Codec;
  priority: number;
  /** Registration order, so the latest registration wins among equal priorities. */
  order: number;
}

const registered: RegisteredCodec[] = [];
let registrations = 0;

/**
 * Registers a codec. It is consulted before every codec of lower priority; among equal priorities
 * the latest registration wins. Registering a codec whose id is taken replaces the old one.
 *
 * @param options.priority defaults to 100, above all built-ins (0..50).
 */
export function registerCodec(codec: Codec<any>, options?: { priority?: number }): void {
  if (typeof codec?.id !== "string" || codec.id.length === 0) {
    throw new TypeError("registerCodec: a codec needs a non-empty string `id`, stored with every value it encodes.");
  }
  for (const member of ["canEncode", "typeName", "encode", "decode"] as const) {
    if (typeof codec[member] !== "function") {
      throw new TypeError(`registerCodec: codec "${codec.id}" has no ${member}() method.`);
    }
  }
  const existing = registered.findIndex((entry) => entry.codec.id === codec.id);
  if (existing >= 0) registered.splice(existing, 1);
  registered.push({ codec, priority: options?.priority ?? USER_CODEC_PRIORITY, order: registrations++ });
  registered.sort((a, b) => b.priority - a.priority || b.order - a.order);
}

/** The highest-priority codec whose `canEncode` accepts the value, or undefined. */
export function codecFor(value: unknown): Codec | undefined {
  return registered.find((entry) => entry.codec.canEncode(value))?.codec;
}

/** The codec registered under `id`, or undefined. */
export function codecById(id: string): Codec | undefined {
  return registered.find((entry) => entry.codec.id === id)?.codec;
}
