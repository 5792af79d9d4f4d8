/**
 * Decoding one Jupyter wire message (ZeroMQ frames) with its HMAC checked — used for replies on the
 * stdin channel, which tslab's server does not read.
 */
import { createHmac, timingSafeEqual } from "node:crypto";

const DELIMITER = Buffer.from("<IDS|MSG>");

/** A message arrived with a signature that does not match the connection key. */
export class WireSignatureError extends Error {
  override name = "WireSignatureError";
}

/** The parts of a decoded message the kernel uses. */
export interface WireMessage {
  header: { msg_type: string; msg_id: string };
  parentHeader: { msg_id?: string };
  content: Record<string, unknown>;
}

/** Decodes `frames` (identities, delimiter, signature, header, parent, metadata, content, ...). */
export function decodeWireMessage(key: string, frames: Buffer[]): WireMessage {
  const at = frames.findIndex((frame) => frame.equals(DELIMITER));
  if (at === -1 || frames.length < at + 6) throw new WireSignatureError("malformed Jupyter message: no <IDS|MSG> delimiter");
  const signature = frames[at + 1]!.toString();
  const parts = frames.slice(at + 2);
  if (key !== "") {
    const hmac = createHmac("sha256", key);
    for (const part of parts) hmac.update(part);
    const expected = Buffer.from(hmac.digest("hex"));
    const actual = Buffer.from(signature);
    if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) {
      throw new WireSignatureError("Jupyter message signature does not match the connection key; message ignored");
    }
  }
  return {
    header: JSON.parse(parts[0]!.toString()) as WireMessage["header"],
    parentHeader: JSON.parse(parts[1]!.toString()) as WireMessage["parentHeader"],
    content: JSON.parse(parts[3]!.toString()) as Record<string, unknown>,
  };
}
